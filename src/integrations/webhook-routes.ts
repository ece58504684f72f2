import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../shared/http/validate';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors';
import type { Clock } from '../shared/clock';
import type { AccessControl } from '../access/guard';
import { accessOf } from '../access/authenticate';
import { CALL_EVENT_TYPES } from './delivery-target';
import type { SqlWebhookEndpointStore, WebhookEndpoint } from './webhook-endpoint-store';
import { DELIVERY_STATUSES, type Delivery, type DeliveryStatus, type SqlDeliveryStore } from './delivery-store';
import { webhookUrlProblem } from './outbound-address';

const url = z.url({ protocol: /^https?$/ }).max(2000);
const events = z
  .array(z.enum(CALL_EVENT_TYPES))
  .min(1)
  .max(CALL_EVENT_TYPES.length)
  .refine((e) => new Set(e).size === e.length, 'must not repeat an event');
const description = z.string().trim().max(500).nullable();

export const createWebhookBody = z.strictObject({ clientId: z.uuid(), url, events, description: description.optional() });
export const updateWebhookBody = z
  .strictObject({ url: url.optional(), events: events.optional(), description: description.optional(), active: z.boolean().optional() })
  .refine((b) => Object.keys(b).length > 0, 'give at least one of url, events, description, active');
export const listWebhooksQuery = z.strictObject({ clientId: z.uuid().optional() });
export const listDeliveriesQuery = z.strictObject({
  status: z.enum(DELIVERY_STATUSES as [DeliveryStatus, ...DeliveryStatus[]]).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

/** 'whsec_' + 256 random bits; shown when created or rotated, never again. */
const newSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

export const webhookView = (w: WebhookEndpoint) => ({
  id: w.id,
  clientId: w.clientId,
  url: w.url,
  events: w.events,
  description: w.description,
  active: w.active,
  createdAt: w.createdAt.toISOString(),
  updatedAt: w.updatedAt.toISOString(),
});

export const deliveryView = (d: Delivery) => ({
  id: d.id,
  event: d.event,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.status === 'pending' ? (d.nextAttemptAt?.toISOString() ?? null) : null,
  lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  createdAt: d.createdAt.toISOString(),
  deliveredAt: d.deliveredAt?.toISOString() ?? null,
  body: JSON.parse(d.body) as unknown,
});

const encodeCursor = (d: Delivery) => Buffer.from(JSON.stringify([d.createdAt.toISOString(), d.id])).toString('base64url');

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const parsed = z.tuple([z.iso.datetime(), z.uuid()]).parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { createdAt: new Date(parsed[0]), id: parsed[1] };
  } catch {
    throw new ValidationError('Invalid cursor: pass the nextCursor of a previous page unchanged.');
  }
}

export interface WebhookRouteDeps {
  endpoints: SqlWebhookEndpointStore;
  deliveries: SqlDeliveryStore;
  /** Loopback and private addresses allowed as webhook URLs (not in production, unless WEBHOOK_ALLOW_PRIVATE_URLS). */
  allowPrivateUrls: boolean;
  clock: Clock;
}

/** Clients' webhook endpoints and what was delivered to them (docs/webhooks.md). */
export function webhookRoutes(d: WebhookRouteDeps, access: AccessControl): Router {
  const router = Router();
  const now = () => new Date(d.clock.now());
  const allowedUrl = (value: string | undefined) => {
    const problem = value === undefined ? null : webhookUrlProblem(value, d.allowPrivateUrls);
    if (problem) throw new ValidationError(`Invalid request body: url: ${problem}`, { issues: [{ path: 'url', message: problem }] });
  };
  const endpointOf = async (id: string) => {
    const endpoint = await d.endpoints.findById(parseInput(z.uuid(), id, 'webhook id'));
    if (!endpoint) throw new NotFoundError('No webhook with this id.');
    return endpoint;
  };

  router.post('/v1/webhooks', access.guard('webhooks:write', { body: { clientId: 'client' } }), async (req, res) => {
    const body = parseInput(createWebhookBody, req.body);
    allowedUrl(body.url);
    const secret = newSecret();
    const created = await d.endpoints.create({ clientId: body.clientId, url: body.url, events: body.events, description: body.description ?? null, secret, now: now() });
    // Worded as the guard words another client's id, so the two cannot be told apart.
    if (!created) throw new NotFoundError('No client with this clientId.');
    res.status(201).set('Cache-Control', 'no-store').json({ ...webhookView(created), secret });
  });

  router.get('/v1/webhooks', access.guard('webhooks:read', { query: { clientId: 'client' } }), async (req, res) => {
    const q = parseInput(listWebhooksQuery, req.query, 'query');
    const scope = accessOf(res).clients;
    const endpoints = await d.endpoints.list(q.clientId ? [q.clientId] : scope === 'all' ? undefined : scope);
    res.json({ data: endpoints.map(webhookView) });
  });

  router.get('/v1/webhooks/:webhookId', access.guard('webhooks:read', { params: { webhookId: 'webhook' } }), async (req, res) => {
    res.json(webhookView(await endpointOf(String(req.params.webhookId))));
  });

  router.patch('/v1/webhooks/:webhookId', access.guard('webhooks:write', { params: { webhookId: 'webhook' } }), async (req, res) => {
    const id = parseInput(z.uuid(), req.params.webhookId, 'webhook id');
    const changes = parseInput(updateWebhookBody, req.body);
    allowedUrl(changes.url);
    const updated = await d.endpoints.update(id, changes, now());
    if (!updated) throw new NotFoundError('No webhook with this id.');
    res.json(webhookView(updated));
  });

  router.delete('/v1/webhooks/:webhookId', access.guard('webhooks:write', { params: { webhookId: 'webhook' } }), async (req, res) => {
    if (!(await d.endpoints.delete(parseInput(z.uuid(), req.params.webhookId, 'webhook id')))) throw new NotFoundError('No webhook with this id.');
    res.status(204).end();
  });

  // The old secret stops working at once: receivers should accept both while they switch (docs/webhooks.md).
  router.post('/v1/webhooks/:webhookId/rotate-secret', access.guard('webhooks:write', { params: { webhookId: 'webhook' } }), async (req, res) => {
    const secret = newSecret();
    const rotated = await d.endpoints.rotateSecret(parseInput(z.uuid(), req.params.webhookId, 'webhook id'), secret, now());
    if (!rotated) throw new NotFoundError('No webhook with this id.');
    res.set('Cache-Control', 'no-store').json({ ...webhookView(rotated), secret });
  });

  router.get('/v1/webhooks/:webhookId/deliveries', access.guard('webhooks:read', { params: { webhookId: 'webhook' } }), async (req, res) => {
    const endpoint = await endpointOf(String(req.params.webhookId));
    const q = parseInput(listDeliveriesQuery, req.query, 'query');
    const rows = await d.deliveries.list('webhook', endpoint.id, { status: q.status, after: q.cursor ? decodeCursor(q.cursor) : undefined, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    res.json({ data: page.map(deliveryView), nextCursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]) : null });
  });

  router.post(
    '/v1/webhooks/:webhookId/deliveries/:deliveryId/retry',
    access.guard('webhooks:write', { params: { webhookId: 'webhook', deliveryId: 'delivery' } }),
    async (req, res) => {
      const endpoint = await endpointOf(String(req.params.webhookId));
      const deliveryId = parseInput(z.uuid(), req.params.deliveryId, 'delivery id');
      const found = await d.deliveries.find('webhook', endpoint.id, deliveryId);
      if (!found) throw new NotFoundError('No delivery with this id.');
      if (found.status === 'delivered') throw new ConflictError('This delivery was delivered; there is nothing to retry.');
      const retried = await d.deliveries.retry('webhook', endpoint.id, deliveryId, now());
      if (!retried) throw new ConflictError('This delivery was delivered in the meantime; there is nothing to retry.');
      res.json(deliveryView(retried));
    },
  );
  return router;
}
