/**
 * How a tracked call is put through to the client, per pool (a number may override whisper, record
 * and fallback), and what happens when the forwarded leg is not answered. Plain data and rules: the
 * TwiML that carries them out is built in src/telephony/twiml.ts.
 */
export interface CallRouting {
  /** How long the client's line rings before the dial gives up (Twilio <Dial timeout>). */
  timeoutSeconds: number;
  /** What the answering agent hears before being connected, e.g. 'Call from {source}'; null = nothing. */
  whisper: string | null;
  /** Record both legs from answer, after telling the caller. */
  record: boolean;
  /** Said to the caller before the dial when recording; null = the default announcement. */
  recordAnnouncement: string | null;
  /** Where an unanswered forward goes next: an E.164 number, 'voicemail', or null (the call ends). */
  fallbackTo: string | null;
}

export const DEFAULT_ROUTING: CallRouting = { timeoutSeconds: 30, whisper: null, record: false, recordAnnouncement: null, fallbackTo: null };

export const DEFAULT_WHISPER = 'Call from {source}';
export const DEFAULT_RECORD_ANNOUNCEMENT = 'This call may be recorded for quality and training purposes.';

/** DialCallStatus values after which the pool's fallback takes over. */
const UNANSWERED = new Set(['busy', 'no-answer', 'failed']);

export type NextStep = { kind: 'hangup' } | { kind: 'dial-fallback'; to: string } | { kind: 'voicemail' };

/**
 * What to do when the `<Dial action>` reports how the forward went. The fallback is tried once: the
 * fallback dial's own outcome (`attempt` 'fallback') always ends the call, as does an answered or
 * cancelled (caller hung up) forward.
 */
export function nextStepAfterDial(dialStatus: string | undefined, attempt: 'primary' | 'fallback', routing: CallRouting | null): NextStep {
  if (attempt !== 'primary' || !dialStatus || !UNANSWERED.has(dialStatus) || !routing?.fallbackTo) return { kind: 'hangup' };
  return routing.fallbackTo === 'voicemail' ? { kind: 'voicemail' } : { kind: 'dial-fallback', to: routing.fallbackTo };
}
