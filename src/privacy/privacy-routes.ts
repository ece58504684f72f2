import { Router, type Response } from 'express';
import { z } from 'zod';
import { parseInput } from '../shared/http/validate';
import { toE164 } from '../shared/phone';
import { toCsv } from '../shared/csv';
import { PUBLIC_ID } from '../shared/ids';
import type { Clock } from '../shared/clock';
import { accessOf, actorOf } from '../access/authenticate';
import type { AccessControl } from '../access/guard';
import type { PrivacyRequest } from './privacy-request-store';
import type { PrivacyService, SubjectExport } from './privacy-service';
import { PRIVACY_REQUEST_TYPES, type PrivacyRequestType, type Subject } from './subject';
import type { AuditLog, AuditRecord } from './audit-log';

const subjectBody = z.union([
  z.strictObject({
    phone: z
      .string()
      .max(64)
      .transform((v, ctx) => {
        const e164 = toE164(v);
        if (!e164) ctx.issues.push({ code: 'custom', input: v, message: 'must be a phone number in international format, e.g. +44 20 7946 0123' });
        return e164 ?? z.NEVER;
      }),
  }),
  z.strictObject({ visitorId: z.string().regex(PUBLIC_ID, 'must be the visitor id from the _ct_vr cookie (8-64 letters, digits, _ or -)') }),
]);

export const requestBody = z.strictObject({
  clientId: z.uuid(),
  type: z.enum(PRIVACY_REQUEST_TYPES as [PrivacyRequestType, ...PrivacyRequestType[]]),
  subject: subjectBody,
  changes: z.record(z.string().max(40), z.string().trim().max(200).nullable()).optional(),
});

export const listQuery = z.strictObject({ clientId: z.uuid().optional(), limit: z.coerce.number().int().min(1).max(500).default(100) });
export const exportQuery = z.strictObject({ format: z.enum(['json', 'csv']).default('json') });

const toSubject = (s: z.infer<typeof subjectBody>): Subject => ('phone' in s ? { kind: 'phone', value: s.phone } : { kind: 'visitor', value: s.visitorId });

/** Enough for the client to recognise the subject in a list, not enough to identify them. */
export function requestView(r: PrivacyRequest) {
  return {
    id: r.id,
    clientId: r.clientId,
    type: r.type,
    subjectKind: r.subjectKind,
    status: r.status,
    requestedBy: r.requestedBy,
    receivedAt: r.receivedAt.toISOString(),
    dueAt: r.dueAt.toISOString(),
    completedAt: r.completedAt?.toISOString() ?? null,
    outcome: r.outcome,
    ...(r.type === 'restriction' ? { active: r.liftedAt === null, liftedAt: r.liftedAt?.toISOString() ?? null, liftedBy: r.liftedBy } : {}),
    ...(r.type === 'access' || r.type === 'portability' ? { export: { json: `/v1/privacy/requests/${r.id}/export?format=json`, csv: `/v1/privacy/requests/${r.id}/export?format=csv` } } : {}),
  };
}

export const auditView = (a: AuditRecord) => ({ id: a.id, at: a.at.toISOString(), actor: a.actor, clientId: a.clientId, action: a.action, targetType: a.targetType, targetId: a.targetId, details: a.details });

/**
 * Portability in CSV: one row per field of every record (record type, record id, field, value), so
 * every table fits one machine-readable file whatever its columns.
 */
function exportCsv(e: SubjectExport): string {
  const rows: unknown[][] = [['subject', e.subject.kind, e.subject.kind, e.subject.value]];
  const add = (type: string, records: Record<string, unknown>[], idOf: (r: Record<string, unknown>) => unknown) => {
    for (const r of records) for (const [field, value] of Object.entries(r)) rows.push([type, idOf(r), field, value]);
  };
  add('call', e.data.calls, (r) => r.id);
  add('call_leg', e.data.callLegs, (r) => r.call_sid);
  add('visit', e.data.visits, (r) => r.id);
  add('page_view', e.data.pageViews, (r) => r.id);
  add('lease', e.data.leases, (r) => `${String(r.number_id)}:${String(r.token)}`);
  add('consent', e.data.consents, (r) => r.id);
  add('privacy_request', e.requests.map(requestView), (r) => r.id);
  return toCsv(['record_type', 'record_id', 'field', 'value'], rows);
}

function sendExport(res: Response, e: SubjectExport, format: 'json' | 'csv'): void {
  const name = `subject-export-${e.request.id}.${format}`;
  res.set({ 'Content-Disposition': `attachment; filename="${name}"`, 'Cache-Control': 'no-store' });
  if (format === 'csv') return void res.type('text/csv; charset=utf-8').send(exportCsv(e));
  res.json({
    format: 'call-tracking.subject-export.v1',
    generatedAt: new Date().toISOString(),
    subject: e.subject,
    request: requestView(e.request),
    calls: e.data.calls,
    callLegs: e.data.callLegs,
    visits: e.data.visits,
    pageViews: e.data.pageViews,
    leases: e.data.leases,
    consents: e.data.consents,
    requests: e.requests.map(requestView),
  });
}

/** The clients a list covers: the one asked for (the guard checked it), else all the caller may see (null = every client). */
function clientsOf(res: Response, clientId: string | undefined): readonly string[] | null {
  if (clientId) return [clientId];
  const scope = accessOf(res).clients;
  return scope === 'all' ? null : scope;
}

export function privacyRoutes(privacy: PrivacyService, audit: AuditLog, clock: Clock, access: AccessControl): Router {
  const router = Router();
  const id = (v: string) => parseInput(z.uuid(), v, 'request id');

  router.post('/v1/privacy/requests', access.guard('privacy:write', { body: { clientId: 'client' } }), async (req, res) => {
    const body = parseInput(requestBody, req.body);
    const request = await privacy.submit({ clientId: body.clientId, type: body.type, subject: toSubject(body.subject), changes: body.changes }, actorOf(res), new Date(clock.now()));
    res.status(201).json(requestView(request));
  });
  router.get('/v1/privacy/requests', access.guard('privacy:read', { query: { clientId: 'client' } }), async (req, res) => {
    const q = parseInput(listQuery, req.query, 'query');
    res.json({ data: (await privacy.list(clientsOf(res, q.clientId), q.limit)).map(requestView) });
  });
  router.get('/v1/privacy/requests/:requestId', access.guard('privacy:read', { params: { requestId: 'privacyRequest' } }), async (req, res) => {
    res.json(requestView(await privacy.get(id(String(req.params.requestId)))));
  });
  router.get('/v1/privacy/requests/:requestId/export', access.guard('privacy:read', { params: { requestId: 'privacyRequest' } }), async (req, res) => {
    const { format } = parseInput(exportQuery, req.query, 'query');
    sendExport(res, await privacy.export(id(String(req.params.requestId)), actorOf(res)), format);
  });
  router.delete('/v1/privacy/restrictions/:requestId', access.guard('privacy:write', { params: { requestId: 'privacyRequest' } }), async (req, res) => {
    res.json(requestView(await privacy.liftRestriction(id(String(req.params.requestId)), actorOf(res), new Date(clock.now()))));
  });
  router.get('/v1/audit-log', access.guard('audit:read', { query: { clientId: 'client' } }), async (req, res) => {
    const q = parseInput(listQuery, req.query, 'query');
    res.json({ data: (await audit.list({ clientIds: clientsOf(res, q.clientId), limit: q.limit })).map(auditView) });
  });
  return router;
}
