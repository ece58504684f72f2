import express, { Router } from 'express';
import { z } from 'zod';
import type { CallService } from '../calls/call-service';
import type { Clock } from '../shared/clock';
import { parseInput } from '../shared/http/validate';
import { ServiceUnavailableError } from '../shared/errors';
import { getLogger } from '../shared/logging/logger';
import { verifyTwilioSignature } from './twilio-signature';
import { emptyTwiml, forwardCallTwiml, notInServiceTwiml } from './twiml';

const log = getLogger('voice-webhook');

// Twilio adds fields without notice: validate what we use, keep the rest (they are signed too).
const callSid = z.string().regex(/^CA[0-9a-fA-F]{32}$/, 'must be a Twilio CallSid');
const voiceParams = z.looseObject({ CallSid: callSid, To: z.string().min(1).max(64), From: z.string().max(64).optional(), Direction: z.string().max(32).optional(), CallStatus: z.string().max(32).optional() });
const statusParams = z.looseObject({ CallSid: callSid, CallStatus: z.string().max(32), SequenceNumber: z.string().regex(/^\d{1,9}$/).optional(), CallDuration: z.string().max(16).optional(), Timestamp: z.string().max(64).optional(), From: z.string().max(64).optional(), To: z.string().max(64).optional() });
const dialParams = z.looseObject({ CallSid: callSid, DialCallStatus: z.string().max(32).optional(), DialCallSid: z.string().max(64).optional(), DialCallDuration: z.string().max(16).optional() });

export const WEBHOOK_PATHS = { voice: '/webhooks/twilio/voice', status: '/webhooks/twilio/status', dial: '/webhooks/twilio/dial' } as const;

export function voiceWebhookRoutes(calls: CallService, clock: Clock, opts: { authToken: string; publicBaseUrl: string }): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 });
  const signed = verifyTwilioSignature(opts.authToken, opts.publicBaseUrl);
  const xml = (res: express.Response, body: string) => res.type('text/xml').send(body);

  router.post(WEBHOOK_PATHS.voice, form, signed, async (req, res) => {
    const params = parseInput(voiceParams, req.body, 'voice webhook');
    // Without a route we cannot forward; a 503 sends Twilio to the number's Voice Fallback URL.
    const decision = await calls.routeInbound(params, clock.now()).catch(storeUnavailable);
    if (decision.kind === 'unknown-number') return xml(res, notInServiceTwiml());
    xml(res, forwardCallTwiml({ forwardTo: decision.forwardTo, callerId: decision.callerId, dialActionUrl: `${opts.publicBaseUrl}${WEBHOOK_PATHS.dial}` }));
  });

  router.post(WEBHOOK_PATHS.status, form, signed, async (req, res) => {
    const params = parseInput(statusParams, req.body, 'status callback');
    const outcome = await calls.recordStatus(params, clock.now()).catch(storeUnavailable);
    log.debug('status callback', { outcome, status: params.CallStatus });
    res.status(204).end();
  });

  router.post(WEBHOOK_PATHS.dial, form, signed, async (req, res) => {
    const params = parseInput(dialParams, req.body, 'dial action');
    // The caller's leg is ending either way: answer TwiML even if the outcome could not be stored.
    await calls.recordDialOutcome(params, clock.now()).catch((err) => log.error('dial outcome not stored', { error: err }));
    xml(res, emptyTwiml());
  });
  return router;
}

function storeUnavailable(err: unknown): never {
  log.error('webhook could not be served by the stores', { error: err });
  throw new ServiceUnavailableError('The call could not be processed right now; please retry.');
}
