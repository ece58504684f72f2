import express, { Router } from 'express';
import type { CallService } from '../calls/call-service';
import type { Clock } from '../shared/clock';
import { parseInput } from '../shared/http/validate';
import { ServiceUnavailableError } from '../shared/errors';
import { getLogger } from '../shared/logging/logger';
import { verifyTwilioSignature, type SignatureOptions } from './twilio-signature';
import { whisperTwiml } from './twiml';
import { legStatusParams, recordingParams, recordingQuery, whisperQuery } from './webhook-params';
import { WEBHOOK_PATHS } from './webhook-paths';
import { countRejections, NO_METRICS, type WebhookMetrics } from '../metrics/outcomes';

const log = getLogger('voice-webhook');

/** What happens on the forwarded leg: its status events, the whisper its agent hears, recordings. */
export function callProgressRoutes(calls: CallService, clock: Clock, opts: SignatureOptions, metrics: WebhookMetrics = NO_METRICS): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 200 });
  const signed = verifyTwilioSignature(opts);
  const signedAs = countRejections(signed, metrics);

  router.post(WEBHOOK_PATHS.numberStatus, form, signedAs('leg'), async (req, res) => {
    const params = parseInput(legStatusParams, req.body, 'number status callback');
    const outcome = await calls.recordLegStatus(params, clock.now());
    metrics.webhook('leg', outcome);
    if (outcome === 'lost') throw new ServiceUnavailableError('The leg status could not be stored right now; please retry.');
    res.status(204).end();
  });

  router.post(WEBHOOK_PATHS.recording, form, signedAs('recording'), async (req, res) => {
    const params = parseInput(recordingParams, req.body, 'recording status callback');
    const { kind } = parseInput(recordingQuery, req.query, 'recording callback query');
    const outcome = await calls.recordRecording(params, kind, clock.now());
    metrics.webhook('recording', outcome);
    if (outcome === 'lost') throw new ServiceUnavailableError('The recording could not be stored right now; please retry.');
    res.status(204).end();
  });

  // <Number url>: the agent hears this before being put through. It always answers a <Say>.
  router.post(WEBHOOK_PATHS.whisper, form, signed, async (req, res) => {
    const { callSid } = parseInput(whisperQuery, req.query, 'whisper query');
    const text = await calls.whisper.text(callSid, clock.now());
    log.debug('whisper', { callSid });
    res.type('text/xml').send(whisperTwiml(text));
  });
  return router;
}
