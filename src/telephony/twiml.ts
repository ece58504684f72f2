import twilio from 'twilio';
import { isE164 } from '../shared/phone';

const { VoiceResponse } = twilio.twiml;

/** Forward the caller to the client's line, showing the caller's own number when it is a real one. */
export function forwardCallTwiml(opts: { forwardTo: string; callerId: string | null; dialActionUrl: string; timeoutSeconds?: number }): string {
  const response = new VoiceResponse();
  const dial = response.dial({
    action: opts.dialActionUrl,
    method: 'POST',
    answerOnBridge: true,
    timeout: opts.timeoutSeconds ?? 30,
    ...(opts.callerId && isE164(opts.callerId) ? { callerId: opts.callerId } : {}),
  });
  dial.number(opts.forwardTo);
  return response.toString();
}

export function notInServiceTwiml(): string {
  const response = new VoiceResponse();
  response.say({ voice: 'alice', language: 'en-GB' }, 'Sorry, the number you have called is not in service. Goodbye.');
  response.hangup();
  return response.toString();
}

/** After <Dial> ends there is nothing more to do: an empty response ends the call. */
export function emptyTwiml(): string {
  return new VoiceResponse().toString();
}
