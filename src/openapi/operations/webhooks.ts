import { z } from 'zod';
import { dialParams, dialQuery, legStatusParams, recordingParams, recordingQuery, statusParams, voiceParams, whisperQuery } from '../../telephony/webhook-params';
import { WEBHOOK_PATHS } from '../../telephony/webhook-paths';
import { formBody, problems, signedWebhooks, twiml } from '../components';

/*
 * Twilio's voice webhooks. Each form schema lists the fields the service reads; Twilio sends more, and
 * those are accepted (they are signed too).
 */
const stored = { 204: { description: 'Stored.' }, ...problems([503, 'The event could not be stored; Twilio retries.']) };

export const webhookOperations = signedWebhooks([
  {
    method: 'post',
    path: WEBHOOK_PATHS.voice,
    summary: "A call to a tracking number: attribute it and forward it (the number's Voice URL)",
    request: { body: formBody(voiceParams, 'The inbound call.') },
    responses: { 200: twiml('<Dial> to the pool\'s forwarding number, or a "not in service" message for an unknown number.'), ...problems([503, "The stores did not answer; Twilio then calls the Voice Fallback URL."]) },
  },
  {
    method: 'post',
    path: WEBHOOK_PATHS.fallback,
    summary: "The number's Voice Fallback URL: forward at once, attribute later",
    description: 'Called by Twilio when the voice webhook failed or was too slow. ErrorCode is logged when present.',
    request: { body: formBody(voiceParams, 'The inbound call.') },
    responses: { 200: twiml('<Dial> to the forwarding number.'), ...problems(503) },
  },
  { method: 'post', path: WEBHOOK_PATHS.status, summary: "Status callback of the caller's call", request: { body: formBody(statusParams, 'The call status event.') }, responses: stored },
  {
    method: 'post',
    path: WEBHOOK_PATHS.dial,
    summary: "<Dial action>: the forward ended; try the fallback, voicemail, or hang up",
    request: { query: dialQuery, body: formBody(dialParams, 'How the dial ended.') },
    responses: { 200: twiml('The next step: another <Dial>, a voicemail <Record>, or an empty response (hang up).') },
  },
  { method: 'post', path: WEBHOOK_PATHS.numberStatus, summary: 'Status callback of a forwarded leg (<Number statusCallback>)', request: { body: formBody(legStatusParams, 'The leg status event.') }, responses: stored },
  { method: 'post', path: WEBHOOK_PATHS.recording, summary: 'A call or voicemail recording is ready', request: { query: recordingQuery, body: formBody(recordingParams, 'The recording.') }, responses: stored },
  {
    method: 'post',
    path: WEBHOOK_PATHS.whisper,
    summary: '<Number url>: what the answering agent hears before being put through',
    request: { query: whisperQuery, body: formBody(z.looseObject({}), 'Twilio\'s usual call fields; none are read.') },
    responses: { 200: twiml('A <Say> of the call\'s source.') },
  },
]);
