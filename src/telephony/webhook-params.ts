import { z } from 'zod';

// Twilio adds fields without notice: validate what we use, keep the rest (they are signed too).
export const callSid = z.string().regex(/^CA[0-9a-fA-F]{32}$/, 'must be a Twilio CallSid');
const text = (max: number) => z.string().max(max).optional();

export const voiceParams = z.looseObject({
  CallSid: callSid,
  To: z.string().min(1).max(64),
  From: text(64),
  Direction: text(32),
  CallStatus: text(32),
  CallerName: text(128),
  ForwardedFrom: text(64),
  FromCity: text(128),
  FromState: text(64),
  FromZip: text(32),
  FromCountry: text(8),
  StirVerstat: text(64),
});

export const statusParams = z.looseObject({
  CallSid: callSid,
  CallStatus: z.string().max(32),
  SequenceNumber: z.string().regex(/^\d{1,9}$/).optional(),
  CallDuration: text(16),
  Timestamp: text(64),
  From: text(64),
  To: text(64),
});

export const dialParams = z.looseObject({
  CallSid: callSid,
  To: text(64),
  From: text(64),
  DialCallStatus: text(32),
  DialCallSid: text(64),
  DialCallDuration: text(16),
});
export const dialQuery = z.looseObject({ attempt: z.enum(['primary', 'fallback', 'voicemail']).default('primary') });

export const legStatusParams = statusParams.extend({ ParentCallSid: callSid });

export const recordingParams = z.looseObject({
  CallSid: callSid,
  RecordingSid: z.string().regex(/^RE[0-9a-fA-F]{32}$/, 'must be a Twilio RecordingSid'),
  RecordingUrl: z.url({ protocol: /^https?$/ }).max(1000),
  RecordingStatus: text(32),
  RecordingDuration: text(16),
});
export const recordingQuery = z.looseObject({ kind: z.enum(['call', 'voicemail']).default('call') });

export const whisperQuery = z.looseObject({ callSid });
