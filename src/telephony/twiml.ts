import twilio from 'twilio';
import { isE164 } from '../shared/phone';

const { VoiceResponse } = twilio.twiml;
const SAY = { voice: 'alice', language: 'en-GB' } as const;

export interface ForwardOptions {
  forwardTo: string;
  callerId: string | null;
  dialActionUrl: string;
  timeoutSeconds?: number;
  /** Per-<Number> status callbacks (initiated, ringing, answered, completed) of the forwarded leg. */
  numberStatusCallbackUrl?: string;
  /** TwiML the answering agent hears before being connected (the whisper). */
  whisperUrl?: string;
  /** Record both legs from answer, telling the caller first. */
  record?: { announcement: string; statusCallbackUrl: string } | null;
}

/** Forward the caller to the client's line, showing the caller's own number when it is a real one. */
export function forwardCallTwiml(opts: ForwardOptions): string {
  const response = new VoiceResponse();
  if (opts.record) response.say(SAY, opts.record.announcement);
  const dial = response.dial({
    action: opts.dialActionUrl,
    method: 'POST',
    answerOnBridge: true,
    timeout: opts.timeoutSeconds ?? 30,
    ...(opts.callerId && isE164(opts.callerId) ? { callerId: opts.callerId } : {}),
    ...(opts.record
      ? { record: 'record-from-answer-dual' as const, recordingStatusCallback: opts.record.statusCallbackUrl, recordingStatusCallbackMethod: 'POST', recordingStatusCallbackEvent: ['completed' as const] }
      : {}),
  });
  const numberAttributes = {
    ...(opts.numberStatusCallbackUrl
      ? { statusCallback: opts.numberStatusCallbackUrl, statusCallbackMethod: 'POST', statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'] as ('initiated' | 'ringing' | 'answered' | 'completed')[] }
      : {}),
    ...(opts.whisperUrl ? { url: opts.whisperUrl, method: 'POST' } : {}),
  };
  if (Object.keys(numberAttributes).length) dial.number(numberAttributes, opts.forwardTo);
  else dial.number(opts.forwardTo);
  return response.toString();
}

/** The pool's fallback is voicemail: a prompt, then <Record> (its outcome and recording come back to us). */
export function voicemailTwiml(opts: { actionUrl: string; recordingStatusCallbackUrl: string; prompt?: string }): string {
  const response = new VoiceResponse();
  response.say(SAY, opts.prompt ?? 'Sorry, nobody can take your call right now. Please leave a message after the tone.');
  response.record({
    action: opts.actionUrl,
    method: 'POST',
    maxLength: 120,
    playBeep: true,
    recordingStatusCallback: opts.recordingStatusCallbackUrl,
    recordingStatusCallbackMethod: 'POST',
    recordingStatusCallbackEvent: ['completed'],
  });
  return response.toString();
}

/** Said to the agent who answers, before the caller is connected. */
export function whisperTwiml(text: string): string {
  const response = new VoiceResponse();
  response.say(SAY, text);
  return response.toString();
}

export function notInServiceTwiml(): string {
  const response = new VoiceResponse();
  response.say(SAY, 'Sorry, the number you have called is not in service. Goodbye.');
  response.hangup();
  return response.toString();
}

/** After <Dial> ends there is nothing more to do: an empty response ends the call. */
export function emptyTwiml(): string {
  return new VoiceResponse().toString();
}
