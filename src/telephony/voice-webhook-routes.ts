import express, { Router } from 'express';
import type { CallService, DialAttempt, RoutingDecision } from '../calls/call-service';
import { DEFAULT_RECORD_ANNOUNCEMENT, type CallRouting } from '../calls/domain/routing';
import type { Clock } from '../shared/clock';
import { parseInput } from '../shared/http/validate';
import { ServiceUnavailableError } from '../shared/errors';
import { getLogger } from '../shared/logging/logger';
import { verifyTwilioSignature, type SignatureOptions } from './twilio-signature';
import { emptyTwiml, forwardCallTwiml, notInServiceTwiml, voicemailTwiml } from './twiml';
import { dialParams, dialQuery, statusParams, voiceParams } from './webhook-params';
import { WEBHOOK_PATHS, webhookUrls } from './webhook-paths';
import { countRejections, NO_METRICS, type WebhookMetrics } from '../metrics/outcomes';

export { WEBHOOK_PATHS } from './webhook-paths';

const log = getLogger('voice-webhook');

/** `metrics`: what became of each webhook (its write, or its rejection), and how calls were credited. */
export function voiceWebhookRoutes(calls: CallService, clock: Clock, opts: SignatureOptions, metrics: WebhookMetrics = NO_METRICS): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 });
  const signed = countRejections(verifyTwilioSignature(opts), metrics);
  const urls = webhookUrls(opts.publicBaseUrl);
  const xml = (res: express.Response, body: string) => res.type('text/xml').send(body);

  /** The <Dial> for a forward (first attempt or fallback number), with the pool's whisper and recording. */
  const dialTwiml = (callSid: string, forwardTo: string, callerId: string | null, routing: CallRouting, attempt: DialAttempt) =>
    forwardCallTwiml({
      forwardTo,
      callerId,
      dialActionUrl: urls.dialAction(attempt),
      timeoutSeconds: routing.timeoutSeconds,
      numberStatusCallbackUrl: urls.numberStatus(),
      whisperUrl: routing.whisper ? urls.whisper(callSid) : undefined,
      record: routing.record ? { announcement: routing.recordAnnouncement ?? DEFAULT_RECORD_ANNOUNCEMENT, statusCallbackUrl: urls.recording() } : null,
    });
  const answer = (res: express.Response, decision: RoutingDecision) =>
    decision.kind === 'unknown-number' ? xml(res, notInServiceTwiml()) : xml(res, dialTwiml(decision.callId, decision.forwardTo, decision.callerId, decision.routing, 'primary'));
  const route = (kind: 'voice' | 'fallback', routing: Promise<RoutingDecision>): Promise<RoutingDecision> =>
    routing.then(
      (decision) => {
        if (decision.kind === 'unknown-number') metrics.webhook(kind, 'ignored');
        else {
          metrics.webhook(kind, decision.write);
          // A retried webhook credits nothing again.
          if (decision.write !== 'duplicate') metrics.attribution(decision.attribution);
        }
        return decision;
      },
      (err: unknown) => {
        metrics.webhook(kind, 'lost');
        return storeUnavailable(err);
      },
    );

  router.post(WEBHOOK_PATHS.voice, form, signed('voice'), async (req, res) => {
    const params = parseInput(voiceParams, req.body, 'voice webhook');
    // Without a route we cannot forward; a 503 sends Twilio to the number's Voice Fallback URL.
    answer(res, await route('voice', calls.routeInbound(params, clock.now())));
  });

  // The number's Voice Fallback URL: Twilio calls it when the voice webhook failed or was too slow.
  // Put the caller through at once, without asking the pool store; the call is credited later.
  router.post(WEBHOOK_PATHS.fallback, form, signed('fallback'), async (req, res) => {
    const params = parseInput(voiceParams, req.body, 'voice fallback');
    log.warn('voice fallback URL called', { callSid: params.CallSid, errorCode: typeof req.body.ErrorCode === 'string' ? req.body.ErrorCode : undefined });
    answer(res, await route('fallback', calls.routeInbound(params, clock.now(), { attribute: false })));
  });

  router.post(WEBHOOK_PATHS.status, form, signed('status'), async (req, res) => {
    const params = parseInput(statusParams, req.body, 'status callback');
    const outcome = await calls.recordStatus(params, clock.now());
    metrics.webhook('status', outcome);
    log.debug('status callback', { outcome, status: params.CallStatus });
    if (outcome === 'lost') throw new ServiceUnavailableError('The status could not be stored right now; please retry.');
    res.status(204).end();
  });

  router.post(WEBHOOK_PATHS.dial, form, signed('dial'), async (req, res) => {
    const params = parseInput(dialParams, req.body, 'dial action');
    const { attempt } = parseInput(dialQuery, req.query, 'dial action query');
    // The caller is still on the line: whatever happens to the record, answer TwiML.
    const { next, routing, write } = await calls.recordDialOutcome(params, attempt, clock.now()).catch((err) => {
      log.error('dial outcome not handled', { callSid: params.CallSid, error: err });
      return { next: { kind: 'hangup' as const }, routing: null, write: 'lost' as const };
    });
    metrics.webhook('dial', write);
    if (next.kind === 'dial-fallback' && routing) return xml(res, dialTwiml(params.CallSid, next.to, params.From ?? null, routing, 'fallback'));
    if (next.kind === 'voicemail') return xml(res, voicemailTwiml({ actionUrl: urls.dialAction('voicemail'), recordingStatusCallbackUrl: urls.recording('voicemail') }));
    xml(res, emptyTwiml());
  });
  return router;
}

function storeUnavailable(err: unknown): never {
  log.error('webhook could not be served by the stores', { error: err });
  throw new ServiceUnavailableError('The call could not be processed right now; please retry.');
}
