import type { DialAttempt } from '../calls/call-service';

/** Every Twilio webhook this service serves, and the absolute URLs Twilio is given for them. */
export const WEBHOOK_PATHS = {
  voice: '/webhooks/twilio/voice',
  status: '/webhooks/twilio/status',
  dial: '/webhooks/twilio/dial',
  fallback: '/webhooks/twilio/fallback',
  numberStatus: '/webhooks/twilio/number-status',
  recording: '/webhooks/twilio/recording',
  whisper: '/webhooks/twilio/whisper',
} as const;

/** The URLs written into TwiML; query strings are signed by Twilio like the rest of the URL. */
export function webhookUrls(publicBaseUrl: string) {
  return {
    dialAction: (attempt: DialAttempt = 'primary') => `${publicBaseUrl}${WEBHOOK_PATHS.dial}${attempt === 'primary' ? '' : `?attempt=${attempt}`}`,
    numberStatus: () => `${publicBaseUrl}${WEBHOOK_PATHS.numberStatus}`,
    recording: (kind: 'call' | 'voicemail' = 'call') => `${publicBaseUrl}${WEBHOOK_PATHS.recording}${kind === 'call' ? '' : '?kind=voicemail'}`,
    whisper: (callSid: string) => `${publicBaseUrl}${WEBHOOK_PATHS.whisper}?callSid=${encodeURIComponent(callSid)}`,
  };
}
