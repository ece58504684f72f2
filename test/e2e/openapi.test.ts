import request from 'supertest';
import { z } from 'zod';
import { compileErrors, validate } from '@readme/openapi-parser';
import { createApp } from '../../src/app';
import { buildOpenApiDocument } from '../../src/openapi/openapi-document';
import { ApiKey, Client, NewApiKey, Pool, PoolWithStats, ProvisionedNumbers, Site } from '../../src/openapi/resource-schemas';
import { listRoutes } from '../support/route-inventory';
import { adminApi, expectProblem, FORWARD_TO } from '../support/fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

const METRICS_TOKEN = 'metrics-scraper-token-0123456789abcdef';
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface Operation {
  responses?: Record<string, unknown>;
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  'x-permission'?: string;
  'x-field-permissions'?: Record<string, string>;
}
interface JsonSchema {
  type?: string | string[];
  required?: string[];
  additionalProperties?: unknown;
  properties?: Record<string, JsonSchema>;
  minimum?: number;
}
interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
}

/** 'post /v1/pools/{poolId}' for each operation of the document. */
function operationsOf(doc: Document): Map<string, Operation> {
  const ops = new Map<string, Operation>();
  for (const [path, item] of Object.entries(doc.paths)) for (const method of METHODS) if (item[method]) ops.set(`${method} ${path}`, item[method]);
  return ops;
}

/** Every "$ref" anywhere in the document. */
function refsIn(node: unknown, found: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refsIn(n, found));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else refsIn(value, found);
    }
  }
  return found;
}

function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), doc);
}

describe('GET /openapi.json', () => {
  let t: TestApp;
  let doc: Document;
  beforeAll(async () => {
    t = await startTestApp('embedded', { SEED_DEMO: 'true', METRICS_TOKEN });
    doc = (await request(t.app).get('/openapi.json').expect(200)).body as Document;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('when fetched without credentials, then it is cacheable JSON that revalidates with its ETag', async () => {
    // Act
    const first = await request(t.app).get('/openapi.json');
    const again = await request(t.app).get('/openapi.json').set('If-None-Match', String(first.headers.etag));

    // Assert
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toMatch(/^application\/json/);
    expect(first.headers['cache-control']).toBe('public, max-age=300');
    expect(first.headers.etag).toMatch(/^"[\w-]+"$/);
    expect(again.status).toBe(304);
    expect(first.body).toEqual(doc);
  });

  it('when compared with the router, then every route is described and every described operation is served', () => {
    // Arrange
    const served = listRoutes(createApp(t.container)).map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:([A-Za-z_$][\w$]*)/g, '{$1}')}`);
    const described = [...operationsOf(doc).keys()];

    // Assert
    expect(served.filter((route) => !described.includes(route))).toEqual([]);
    expect(described.filter((op) => !served.includes(op))).toEqual([]);
    expect(served).toEqual(expect.arrayContaining(['get /metrics', 'get /demo', 'get /openapi.json', 'post /webhooks/twilio/voice', 'get /v1/pools/{poolId}']));
  });

  it('when validated, then it is OpenAPI 3.1 in which every operation has responses and every $ref resolves', async () => {
    // Act
    const result = await validate(structuredClone(doc) as Parameters<typeof validate>[0]);

    // Assert
    expect(result.valid ? '' : compileErrors(result)).toBe('');
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toEqual(expect.objectContaining({ title: expect.any(String), version: expect.any(String) }));
    const withoutResponses = [...operationsOf(doc)].filter(([, op]) => !op.responses || !Object.keys(op.responses).length).map(([key]) => key);
    expect(withoutResponses).toEqual([]);
    const refs = refsIn(doc);
    expect(refs).toContain('#/components/schemas/Problem');
    expect(refs.filter((ref) => resolvePointer(doc, ref) === undefined)).toEqual([]);
  });

  it('when an operation is described, then its security says how the route authenticates, and admin ones the permission the guard checks', () => {
    // Arrange
    const ops = operationsOf(doc);
    const admin = [...ops].filter(([key]) => key.includes(' /v1/'));

    // Assert
    expect(admin.length).toBeGreaterThan(25);
    expect(admin.filter(([, op]) => !op['x-permission'] || JSON.stringify(op.security) !== '[{"apiKey":[]}]').map(([key]) => key)).toEqual([]);
    expect(ops.get('post /v1/pools')?.['x-permission']).toBe('pools:write');
    expect(ops.get('get /v1/calls')?.['x-permission']).toBe('calls:read');
    expect(ops.get('post /v1/clients/{clientId}/api-keys')?.['x-permission']).toBe('keys:manage');
    expect(ops.get('patch /v1/clients/{clientId}')?.['x-field-permissions']).toEqual({ activityRetentionDays: 'retention:write', callRetentionMonths: 'retention:write' });
    expect(ops.get('post /webhooks/twilio/status')?.security).toEqual([{ twilioSignature: [] }]);
    expect(ops.get('get /metrics')?.security).toEqual([{ metricsToken: [] }]);
    expect(ops.get('post /t/{siteKey}/visits')?.security).toBeUndefined();
    expect(ops.get('get /openapi.json')?.security).toBeUndefined();
  });

  it('when POST /v1/pools is described, then its body schema rejects what the route rejects', async () => {
    // Arrange
    const schema = operationsOf(doc).get('post /v1/pools')?.requestBody?.content['application/json'].schema;
    const api = adminApi(t);
    const client = await api.post('/v1/clients', { name: 'Schema check' }).expect(201);
    const site = await api.post('/v1/sites', { clientId: client.body.id, name: 'Shop', domains: ['shop.example'] }).expect(201);
    const valid = { siteId: site.body.id, name: 'Main', forwardTo: FORWARD_TO };

    // Act
    const withoutForwardTo = await api.post('/v1/pools', { siteId: site.body.id, name: 'Main' });
    const leaseTooShort = await api.post('/v1/pools', { ...valid, leaseSeconds: 59 });
    const unknownField = await api.post('/v1/pools', { ...valid, colour: 'blue' });
    const created = await api.post('/v1/pools', valid);

    // Assert
    expect(schema?.required).toEqual(['siteId', 'name', 'forwardTo']);
    expect(schema?.properties?.leaseSeconds).toEqual(expect.objectContaining({ type: 'integer', minimum: 60 }));
    expect(schema?.additionalProperties).toBe(false);
    expectProblem(withoutForwardTo, 400);
    expect(withoutForwardTo.body.issues).toEqual([expect.objectContaining({ path: 'forwardTo' })]);
    expectProblem(leaseTooShort, 400);
    expectProblem(unknownField, 400);
    expect(created.status).toBe(201);
  });

  it('when the admin API answers, then its bodies are exactly what the document describes', async () => {
    // Arrange
    const api = adminApi(t);
    const exactly = (schema: z.ZodObject) => schema.strict();

    // Act
    const client = await api.post('/v1/clients', { name: 'Shape check' }).expect(201);
    const site = await api.post('/v1/sites', { clientId: client.body.id, name: 'Shop', domains: ['shop.example'] }).expect(201);
    const pool = await api.post('/v1/pools', { siteId: site.body.id, name: 'Main', forwardTo: FORWARD_TO }).expect(201);
    const numbers = await api.post(`/v1/pools/${pool.body.id}/numbers`, { count: 1, country: 'GB' }).expect(201);
    const poolWithStats = await api.get(`/v1/pools/${pool.body.id}`).expect(200);
    const key = await api.post(`/v1/clients/${client.body.id}/api-keys`, { role: 'analyst' }).expect(201);
    const keys = await api.get(`/v1/clients/${client.body.id}/api-keys`).expect(200);

    // Assert
    expect(() => exactly(Client).parse(client.body)).not.toThrow();
    expect(() => exactly(Site).parse(site.body)).not.toThrow();
    expect(() => exactly(Pool).parse(pool.body)).not.toThrow();
    expect(() => exactly(ProvisionedNumbers).parse(numbers.body)).not.toThrow();
    expect(() => exactly(PoolWithStats).parse(poolWithStats.body)).not.toThrow();
    expect(() => exactly(NewApiKey).parse(key.body)).not.toThrow();
    expect(() => exactly(ApiKey).parse(keys.body.data[0])).not.toThrow();
  });
});

describe('buildOpenApiDocument', () => {
  it('when this instance serves neither /metrics nor the demo, then neither is described', () => {
    // Act
    const doc = buildOpenApiDocument({ publicBaseUrl: 'https://calls.example.test', metrics: false, demo: false }, new Map()) as unknown as Document;

    // Assert
    expect(Object.keys(doc.paths).filter((p) => p === '/metrics' || p.startsWith('/demo'))).toEqual([]);
    expect(Object.keys(doc.paths)).toContain('/v1/pools');
  });
});
