import { z } from 'zod';
import type { ResponseConfig, RouteConfig } from '@asteasolutions/zod-to-openapi';

/** The error body of every 4xx and 5xx: what src/shared/http/error-handler.ts sends (RFC 9457). */
export const Problem = z
  .looseObject({
    type: z.string().meta({ description: 'A URI naming the kind of problem, e.g. https://call-tracking.dev/problems/not-found; about:blank for an unexpected error.' }),
    title: z.string().meta({ description: 'Short, the same for every problem of this type.' }),
    status: z.number().int(),
    detail: z.string().meta({ description: 'What went wrong with this request, for a person to read.' }),
    instance: z.string().meta({ description: 'The path of the request.' }),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional().meta({ description: '400 from validation: each invalid field.' }),
  })
  .meta({ id: 'Problem', description: 'application/problem+json (RFC 9457). Some problems carry further members, e.g. a 429 its limit and retryAfterSeconds.' });

const PROBLEMS: Record<number, string> = {
  400: 'The request is invalid (see detail and issues).',
  401: 'No bearer key, or one this service does not know.',
  403: 'Not allowed.',
  404: 'Not found, or it belongs to another client.',
  409: 'Conflicts with the current state.',
  413: 'The request body is larger than this endpoint accepts.',
  415: 'Unsupported body encoding.',
  429: 'Too many requests; the response carries Retry-After.',
  503: 'A backend (database, pool store or carrier) did not answer; retry.',
};

/** Error responses by status, each an application/problem+json Problem; `text` replaces the generic description. */
export function problems(...statuses: (number | [number, string])[]): Record<string, ResponseConfig> {
  const responses: Record<string, ResponseConfig> = {};
  for (const s of statuses) {
    const [status, text] = Array.isArray(s) ? s : [s, PROBLEMS[s]];
    responses[status] = { description: text ?? 'Error.', content: { 'application/problem+json': { schema: Problem } } };
  }
  return responses;
}

export const json = (schema: z.ZodType, description: string): ResponseConfig => ({ description, content: { 'application/json': { schema } } });

/** A body the route reads as JSON, described by the schema the route validates it with. */
export const jsonBody = (schema: z.ZodType, description?: string) => ({ description, required: true, content: { 'application/json': { schema } } });

/** `{ data: [...] }`, the shape of every admin list. */
export const listOf = (item: z.ZodType) => z.object({ data: z.array(item) });

/** A path parameter holding a uuid. */
export const uuidParams = <K extends string>(name: K, description: string) => z.object({ [name]: z.uuid().meta({ description }) } as Record<K, z.ZodUUID>);

export const SECURITY_SCHEMES = {
  apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (ctk_live_...) of a client, or the operator key (ADMIN_API_KEY). Its role decides which permissions it has (x-permission on each operation).' },
  twilioSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Twilio-Signature',
    description: "Twilio's signature of the public URL and every form field, with the account's auth token (or a SharedKey named by X-Twilio-Webhooks-Signature-Settings).",
  },
  metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN.' },
} as const;

/** Operations of the authenticated admin API (/v1): bearer key, and the errors every such route can answer. */
export function adminOperations(ops: RouteConfig[]): RouteConfig[] {
  return ops.map((op) => {
    const extra = op.request?.body ? problems(400, 401, 403, 413, 503) : problems(401, 403, 503);
    return { ...op, security: [{ apiKey: [] }], responses: { ...extra, ...op.responses } };
  });
}

/** Twilio webhooks: signed, read as a form, answered with TwiML or 204. */
export function signedWebhooks(ops: RouteConfig[]): RouteConfig[] {
  const refused = problems(400, [403, 'The X-Twilio-Signature is missing or does not match.'], 413);
  return ops.map((op) => ({ ...op, tags: ['Twilio webhooks'], security: [{ twilioSignature: [] }], responses: { ...refused, ...op.responses } }));
}

export const formBody = (schema: z.ZodType, description: string) => ({
  description,
  required: true,
  content: { 'application/x-www-form-urlencoded': { schema } },
});

export const twiml = (description: string): ResponseConfig => ({ description, content: { 'text/xml': { schema: { type: 'string', description: 'TwiML' } } } });
