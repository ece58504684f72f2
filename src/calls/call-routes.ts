import { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../shared/http/validate';
import { NotFoundError, ValidationError } from '../shared/errors';
import { isStorableInstant } from '../shared/time';
import type { CallLeg, CallRecord, CallStore } from './call-store';
import type { AccessControl } from '../access/guard';
import { accessOf } from '../access/authenticate';
import { timeZoneParam } from '../reports/report-routes';
import type { CallExportStore } from '../reports/call-export-store';
import { streamCsv } from '../reports/calls-csv';
import type { CallJourneyStore, JourneyVisit } from '../reports/call-journey-store';

const storable = (v: string) => isStorableInstant(Date.parse(v));
const instant = z.iso.datetime({ offset: true }).refine(storable, 'must be between the years 0001 and 9999 (UTC)');

export const listQuery = z.strictObject({
  siteId: z.uuid().optional(),
  from: instant.optional(),
  to: instant.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

/** GET /v1/calls.csv: the filters of GET /v1/calls (every call, no paging) and the zone of the local-time column. */
export const csvQuery = listQuery.omit({ cursor: true, limit: true }).extend({
  timeZone: timeZoneParam.meta({ description: 'IANA zone of the started_at_local column (default UTC).' }),
});

export function callView(c: CallRecord) {
  return {
    id: c.id,
    callSid: c.callSid,
    siteId: c.siteId,
    poolId: c.poolId,
    from: c.from,
    to: c.to,
    direction: c.direction,
    status: c.status,
    durationSeconds: c.durationSeconds,
    dialStatus: c.dialStatus,
    talkSeconds: c.talkSeconds,
    startedAt: c.startedAt.toISOString(),
    answeredAt: c.answeredAt?.toISOString() ?? null,
    endedAt: c.endedAt?.toISOString() ?? null,
    forwardedTo: c.forwardedTo,
    visitId: c.visitId,
    attribution: c.attribution,
    attributionCandidates: c.attributionCandidates.map((a) => ({ visitId: a.visitId, endedAt: a.endedAt === null ? null : new Date(a.endedAt).toISOString() })),
    needsReattribution: c.needsReattribution,
    repeatCaller: c.previousCallId !== null,
    previousCallId: c.previousCallId,
    source: c.visit?.source ?? c.savedSource?.source ?? c.staticSource,
    medium: c.visit?.medium ?? c.savedSource?.medium ?? (c.staticSource ? 'static' : null),
    campaign: c.visit?.campaign ?? c.savedSource?.campaign ?? null,
    term: c.visit?.term ?? null,
    content: c.visit?.content ?? null,
    referrer: c.visit?.referrer ?? null,
    landingPage: c.visit?.landingPage ?? null,
    gclid: c.visit?.gclid ?? null,
    callerName: c.caller.name,
    forwardedFrom: c.caller.forwardedFrom,
    fromCity: c.caller.city,
    fromState: c.caller.state,
    fromZip: c.caller.zip,
    fromCountry: c.caller.country,
    stirVerstat: c.caller.stirVerstat,
    fallback: c.fallback,
    recording: c.recording ? { sid: c.recording.sid, url: c.recording.url, durationSeconds: c.recording.durationSeconds, kind: c.recording.kind } : null,
    restricted: c.restricted,
    anonymised: c.anonymisedAt !== null,
  };
}

export const legView = (l: CallLeg) => ({
  callSid: l.callSid,
  to: l.to,
  status: l.status,
  durationSeconds: l.durationSeconds,
  startedAt: l.startedAt.toISOString(),
  answeredAt: l.answeredAt?.toISOString() ?? null,
  endedAt: l.endedAt?.toISOString() ?? null,
});

/** The journey of a call (GET /v1/calls/:callId): the visitor's visits and pages up to the call. */
export const journeyView = (visits: JourneyVisit[] | null) =>
  visits?.map((v) => ({
    visitId: v.visitId,
    startedAt: v.startedAt.toISOString(),
    source: v.source,
    medium: v.medium,
    campaign: v.campaign,
    referrer: v.referrer,
    landingPage: v.landingPage,
    pages: v.pages.map((p) => ({ kind: p.kind, url: p.url, title: p.title, viewedAt: p.viewedAt.toISOString() })),
  })) ?? null;

/** Cursor = the last row's position, opaque to clients. */
const encodeCursor = (c: CallRecord) => Buffer.from(JSON.stringify([c.startedAt.toISOString(), c.id])).toString('base64url');

function decodeCursor(cursor: string): { startedAt: Date; id: string } {
  try {
    const [startedAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const parsed = z.tuple([z.iso.datetime().refine(storable), z.uuid()]).parse([startedAt, id]);
    return { startedAt: new Date(parsed[0]), id: parsed[1] };
  } catch {
    throw new ValidationError('Invalid cursor: pass the nextCursor of a previous page unchanged.');
  }
}

/** Reads beyond the call store: the CSV export's pages and the journey of a call (src/reports). */
export interface CallDetailStores {
  exports: CallExportStore;
  journeys: CallJourneyStore;
}

export function callRoutes(calls: CallStore, access: AccessControl, details: CallDetailStores): Router {
  const router = Router();
  // Its own path, so '/v1/calls/:callId' never sees it ('calls.csv' is not a segment after '/v1/calls/').
  router.get('/v1/calls.csv', access.guard('calls:read', { query: { siteId: 'site' } }), async (req, res) => {
    const q = parseInput(csvQuery, req.query, 'query');
    const scope = accessOf(res).clients;
    const filters = { siteId: q.siteId, clientIds: scope === 'all' ? undefined : scope, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined };
    await streamCsv(res, details.exports, filters, q.timeZone);
  });
  router.get('/v1/calls', access.guard('calls:read', { query: { siteId: 'site' } }), async (req, res) => {
    const q = parseInput(listQuery, req.query, 'query');
    const scope = accessOf(res).clients;
    const rows = await calls.list({
      siteId: q.siteId,
      clientIds: scope === 'all' ? undefined : scope,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
      after: q.cursor ? decodeCursor(q.cursor) : undefined,
      limit: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    res.json({ data: page.map(callView), nextCursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]) : null });
  });
  router.get('/v1/calls/:callId', access.guard('calls:read', { params: { callId: 'call' } }), async (req, res) => {
    const call = await calls.findById(parseInput(z.uuid(), req.params.callId, 'call id'));
    if (!call) throw new NotFoundError('No call with this id.');
    const view = callView(call);
    // The visit is gone (retention, erasure) or restricted when call.visit is null: then no journey.
    // A restricted call is shown (restricted: true) but not processed further: no journey, no candidate sources.
    const open = !call.restricted;
    const journey = open && call.visitId && call.visit && call.siteId ? await details.journeys.journey(call.siteId, call.visitId, call.startedAt) : null;
    // An ambiguous call names the visits it could be: each with its source, so the client can judge.
    const ambiguous = open && call.attribution === 'ambiguous';
    const sources = new Map((ambiguous ? await details.journeys.candidateSources(call.attributionCandidates.map((a) => a.visitId)) : []).map((s) => [s.visitId, s]));
    res.json({
      ...view,
      attributionCandidates: ambiguous
        ? view.attributionCandidates.map((a) => ({ ...a, source: sources.get(a.visitId)?.source ?? null, medium: sources.get(a.visitId)?.medium ?? null, campaign: sources.get(a.visitId)?.campaign ?? null }))
        : view.attributionCandidates,
      journey: journeyView(journey),
    });
  });
  // The forwarded legs of a call (who rang, who answered, for how long), from <Number> status callbacks.
  router.get('/v1/calls/:callId/legs', access.guard('calls:read', { params: { callId: 'call' } }), async (req, res) => {
    const call = await calls.findById(parseInput(z.uuid(), req.params.callId, 'call id'));
    if (!call) throw new NotFoundError('No call with this id.');
    res.json({ data: (await calls.listLegs(call.callSid)).map(legView) });
  });
  return router;
}
