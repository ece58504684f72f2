import { z } from 'zod';
import { CALL_EVENT_TYPES } from '../../integrations/delivery-target';
import { DELIVERY_STATUSES } from '../../integrations/delivery-store';
import { createWebhookBody, listDeliveriesQuery, listWebhooksQuery, updateWebhookBody, type deliveryView, type webhookView } from '../../integrations/webhook-routes';
import { adminOperations, json, jsonBody, listOf, problems, uuidParams } from '../components';
import { Call } from '../resource-schemas';

const instant = z.iso.datetime();
const nullableInstant = instant.nullable();

export const Webhook = z
  .object({
    id: z.uuid(),
    clientId: z.uuid(),
    url: z.string().meta({ description: 'Where events are POSTed (docs/webhooks.md).' }),
    events: z.array(z.enum(CALL_EVENT_TYPES)),
    description: z.string().nullable(),
    active: z.boolean().meta({ description: 'false: deliveries that fall due are closed as skipped.' }),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'Webhook' });

export const WebhookWithSecret = Webhook.extend({
  secret: z.string().meta({ description: 'The signing secret (whsec_...): shown this once, never again. Verify Calltracking-Signature with it.' }),
}).meta({ id: 'WebhookWithSecret' });

const EventBody = z
  .object({
    id: z.string().meta({ description: 'The event id (evt_...), the same at every endpoint: dedupe on it.' }),
    type: z.enum(CALL_EVENT_TYPES),
    createdAt: instant,
    data: z.object({ call: Call }),
  })
  .meta({ id: 'CallEventBody', description: 'The JSON body of every webhook request.' });

export const Delivery = z
  .object({
    id: z.uuid().meta({ description: 'The idempotency id: the Calltracking-Delivery header of every attempt.' }),
    event: z.enum(CALL_EVENT_TYPES),
    status: z.enum(DELIVERY_STATUSES as ['pending', 'delivered', 'failed', 'skipped']),
    attempts: z.number().int(),
    nextAttemptAt: nullableInstant.meta({ description: 'Pending deliveries: when the next attempt is due.' }),
    lastAttemptAt: nullableInstant,
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    createdAt: instant,
    deliveredAt: nullableInstant,
    body: EventBody,
  })
  .meta({ id: 'Delivery' });

const webhookId = uuidParams('webhookId', 'The webhook.');

export const integrationOperations = adminOperations([
  {
    method: 'post',
    path: '/v1/webhooks',
    tags: ['Webhooks'],
    summary: 'Register a webhook for call events',
    description: 'In production, URLs that point at loopback, private or link-local addresses are refused (400), also at send time.',
    request: { body: jsonBody(createWebhookBody) },
    responses: { 201: json(WebhookWithSecret, 'The webhook, with its signing secret shown this once (Cache-Control: no-store).'), ...problems(404) },
  },
  { method: 'get', path: '/v1/webhooks', tags: ['Webhooks'], summary: "List the webhooks of a client (or of the caller's clients)", request: { query: listWebhooksQuery }, responses: { 200: json(listOf(Webhook), 'The webhooks.'), ...problems(400, 404) } },
  { method: 'get', path: '/v1/webhooks/{webhookId}', tags: ['Webhooks'], summary: 'Get a webhook (never its secret)', request: { params: webhookId }, responses: { 200: json(Webhook, 'The webhook.'), ...problems(400, 404) } },
  {
    method: 'patch',
    path: '/v1/webhooks/{webhookId}',
    tags: ['Webhooks'],
    summary: "Change a webhook's URL, events, description, or switch it off",
    request: { params: webhookId, body: jsonBody(updateWebhookBody, 'At least one field.') },
    responses: { 200: json(Webhook, 'The webhook as changed.'), ...problems(404) },
  },
  { method: 'delete', path: '/v1/webhooks/{webhookId}', tags: ['Webhooks'], summary: 'Delete a webhook; its pending deliveries are closed as skipped', request: { params: webhookId }, responses: { 204: { description: 'Deleted.' }, ...problems(400, 404) } },
  {
    method: 'post',
    path: '/v1/webhooks/{webhookId}/rotate-secret',
    tags: ['Webhooks'],
    summary: 'Replace the signing secret',
    description: 'The new secret signs every attempt from now on, retries of earlier events included; the old one stops at once.',
    request: { params: webhookId },
    responses: { 200: json(WebhookWithSecret, 'The webhook with its new secret, shown this once.'), ...problems(400, 404) },
  },
  {
    method: 'get',
    path: '/v1/webhooks/{webhookId}/deliveries',
    tags: ['Webhooks'],
    summary: 'What was sent to a webhook, newest first, with attempts and the last answer',
    request: { params: webhookId, query: listDeliveriesQuery },
    responses: { 200: json(listOf(Delivery).extend({ nextCursor: z.string().nullable().meta({ description: 'Pass as cursor for the next page; null on the last page.' }) }), 'A page of deliveries.'), ...problems(400, 404) },
  },
  {
    method: 'post',
    path: '/v1/webhooks/{webhookId}/deliveries/{deliveryId}/retry',
    tags: ['Webhooks'],
    summary: 'Send a delivery again now (a failed or skipped one gets a fresh 24 h of retries)',
    request: { params: webhookId.extend(uuidParams('deliveryId', 'The delivery.').shape) },
    responses: { 200: json(Delivery, 'The delivery, pending and due now.'), ...problems(400, 404, [409, 'The delivery was delivered; there is nothing to retry.']) },
  },
]);

type SameShape<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
/** Compile-time only: tsc fails here when a view and the schema documenting it part ways. */
export type IntegrationViewsMatchSchemas = [
  Assert<SameShape<z.output<typeof Webhook>, ReturnType<typeof webhookView>>>,
  Assert<SameShape<Omit<z.output<typeof Delivery>, 'body'>, Omit<ReturnType<typeof deliveryView>, 'body'>>>,
];
