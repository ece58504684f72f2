import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Response, Test } from 'supertest';
import { createApp } from '../../src/app';
import { ApiKeyAuthenticator, hashApiKey } from '../../src/access/authenticate';
import { ROLES, roleAllows, type Role } from '../../src/access/roles';
import type { OwnedKind } from '../../src/access/tenant-resolver';
import { UUID } from '../../src/shared/ids';
import { TEST_ADMIN_KEY, type TestApp } from '../support/test-app';
import { BACKENDS, FORWARD_TO, adminApi, expectProblem, useTestApp } from '../support/fixtures';
import { adminRoutes, arrangeTenant, databaseFingerprint, idsOf, issueKey, traces, type AdminRoute, type IssuedKey, type Tenant } from '../support/access-fixtures';

/**
 * Issue 7: every admin route checks the caller's role and that every id it carries belongs to the
 * caller's clients. Client A holds a key of every role and shares an agency key with client C; client
 * B is the one they must never reach. The routes come from the router itself, not from a list.
 */

/** Fictional callers (Ofcom's drama range 07700 900xxx), one per client, and numbers under restriction. */
const CALLERS = { a: '+447700900101', b: '+447700900202', c: '+447700900303' };
const RESTRICTED = { a: '+447700900901', b: '+447700900902', c: '+447700900903' };

/**
 * What a route needs besides ids, keyed by "METHOD path": the body of every write route (null for
 * none), and query fields that are not ids. Ids in bodies come from the tenant given, so the test can
 * put another client's there. A write route missing here fails the enumeration test.
 */
const INPUTS: Record<string, { body?: (t: Tenant) => Record<string, unknown> | null; query?: (t: Tenant) => Record<string, string> }> = {
  'POST /v1/clients': { body: () => ({ name: 'Intruder Ltd' }) },
  'PATCH /v1/clients/:clientId': { body: () => ({ name: 'Renamed Ltd' }) },
  'POST /v1/clients/:clientId/api-keys': { body: (t) => ({ role: 'owner', alsoClientIds: [t.clientId] }) },
  'DELETE /v1/api-keys/:keyId': { body: () => null },
  'POST /v1/sites': { body: (t) => ({ clientId: t.clientId, name: 'Second shop', domains: ['second.example'] }) },
  'PATCH /v1/sites/:siteId': { body: () => ({ trackingEnabled: false }) },
  'POST /v1/pools': { body: (t) => ({ siteId: t.siteId, name: 'Second pool', forwardTo: FORWARD_TO }) },
  'PATCH /v1/pools/:poolId': { body: () => ({ name: 'Renamed pool' }) },
  'POST /v1/pools/:poolId/numbers': { body: () => ({ count: 1, country: 'GB' }) },
  'POST /v1/numbers/reconcile': { body: () => null },
  'PATCH /v1/numbers/:numberId': { body: () => ({ record: true }) },
  'DELETE /v1/numbers/:numberId': { body: () => null },
  'POST /v1/privacy/requests': { body: (t) => ({ clientId: t.clientId, type: 'erasure', subject: { phone: t.caller } }) },
  'DELETE /v1/privacy/restrictions/:requestId': { body: () => null },
  'GET /v1/numbers': { query: (t) => ({ e164: t.numbers[0] }) },
  'POST /v1/webhooks': { body: (t) => ({ clientId: t.clientId, url: 'https://hooks.example.test/second', events: ['call.completed'] }) },
  'PATCH /v1/webhooks/:webhookId': { body: () => ({ active: false }) },
  'DELETE /v1/webhooks/:webhookId': { body: () => null },
  'POST /v1/webhooks/:webhookId/rotate-secret': { body: () => null },
  'POST /v1/webhooks/:webhookId/deliveries/:deliveryId/retry': { body: () => null },
};

const isWrite = (r: AdminRoute) => r.method !== 'GET' && r.method !== 'HEAD';
const routeKey = (r: AdminRoute) => `${r.method} ${r.path}`;
const KEY_FIELDS = ['clientIds', 'createdAt', 'createdBy', 'id', 'lastUsedAt', 'prefix', 'revokedAt', 'role'];

interface World {
  a: Tenant;
  b: Tenant;
  c: Tenant;
  /** A key of every role for client A. */
  keysOfA: Record<Role, IssuedKey>;
  /** Owner of A and of C. */
  agency: IssuedKey;
  ownerOfB: IssuedKey;
}

/** One request as a key (or the operator) sends it; records what was sent, to tell echoes from leaks. */
interface Probe {
  method: string;
  url: string;
  body: Record<string, unknown> | null;
}

function send(t: TestApp, key: string, probe: Probe): Test {
  const req = request(t.app)[probe.method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete'](probe.url).set('Authorization', `Bearer ${key}`);
  return probe.body ? req.send(probe.body) : req;
}

const asKey = (t: TestApp, key: string) => ({
  get: (url: string) => send(t, key, { method: 'GET', url, body: null }),
  post: (url: string, body: Record<string, unknown>) => send(t, key, { method: 'POST', url, body }),
  patch: (url: string, body: Record<string, unknown>) => send(t, key, { method: 'PATCH', url, body }),
  delete: (url: string) => send(t, key, { method: 'DELETE', url, body: null }),
});

/** What a path parameter names when its route's guard does not say (a route the enumeration test flags). */
const PARAM_KINDS: Record<string, OwnedKind> = { clientId: 'client', siteId: 'site', poolId: 'pool', numberId: 'number', callId: 'call', requestId: 'privacyRequest', keyId: 'apiKey' };

/** The path with each `:param` replaced by an id of the kind its guard spec (else its name) says it names. */
function fillPath(route: AdminRoute, pick: (kind: OwnedKind) => string): string {
  return route.path.replace(/:(\w+)/g, (_m, name: string) => {
    const kind = route.guard?.spec.params?.[name] ?? PARAM_KINDS[name];
    if (!kind) throw new Error(`${route.method} ${route.path}: add :${name} to PARAM_KINDS`);
    return pick(kind);
  });
}

/** Ids of `traces` that a response carries although the request did not send them. */
function leaked(res: Response, probe: Probe, foreign: string[]): string[] {
  const sent = `${probe.url} ${JSON.stringify(probe.body)}`;
  const answer = res.text ?? '';
  return foreign.filter((id) => answer.includes(id) && !sent.includes(id));
}

type Place = 'params' | 'query' | 'body';

/** The kind of id each `:param` of the path names. */
const pathKinds = (route: AdminRoute): OwnedKind[] => (route.path.match(/:\w+/g) ?? []).map((p) => route.guard?.spec.params?.[p.slice(1)] ?? PARAM_KINDS[p.slice(1)]);

/**
 * The requests that aim a route at client B: for each non-empty set of the places that carry ids (path,
 * query, body), B's ids there and A's elsewhere, so each check is shown to hold on its own; each of B's
 * ids of a kind in turn (both numbers, the access request and the restriction). A route that carries no
 * id at all gets B's other inputs (B's E.164 for a number look-up).
 */
function foreignProbes(route: AdminRoute, w: World): { probe: Probe; carriesIds: boolean; foreign: Place[] }[] {
  const spec = route.guard?.spec ?? {};
  const inputs = INPUTS[routeKey(route)] ?? {};
  const idsOfA = new Set(traces(w.a, [w.keysOfA.owner.id]));
  const tableBody = inputs.body?.(w.a) ?? null;
  const bodyHasIds = tableBody !== null && (Object.keys(spec.body ?? {}).length > 0 || Object.values(tableBody).flat().some((v) => typeof v === 'string' && idsOfA.has(v)));
  const places = ([route.path.includes(':') && 'params', Object.keys(spec.query ?? {}).length > 0 && 'query', bodyHasIds && 'body'] as const).filter((p): p is Place => Boolean(p));
  const probeOf = (url: string, query: Record<string, string>, body: Record<string, unknown> | null): Probe => {
    const qs = new URLSearchParams(query).toString();
    return { method: route.method, url: qs ? `${url}?${qs}` : url, body };
  };
  if (!places.length) return [{ probe: probeOf(route.path, inputs.query?.(w.b) ?? {}, inputs.body?.(w.b) ?? null), carriesIds: false, foreign: [] }];

  const probes: { probe: Probe; carriesIds: boolean; foreign: Place[] }[] = [];
  for (let mask = 1; mask < 2 ** places.length; mask += 1) {
    const foreign = places.filter((_p, bit) => mask & (1 << bit));
    const side = (place: Place) => (foreign.includes(place) ? { tenant: w.b, keyId: w.ownerOfB.id } : { tenant: w.a, keyId: w.keysOfA.owner.id });
    const kinds = foreign.flatMap((place) => (place === 'params' ? pathKinds(route) : Object.values(spec[place] ?? {})));
    const picks = Math.max(1, ...kinds.map((kind) => (kind === 'client[]' ? 1 : idsOf(w.b, w.ownerOfB.id, kind).length)));
    for (let pick = 0; pick < picks; pick += 1) {
      const id = (place: Place, kind: OwnedKind) => {
        const all = idsOf(side(place).tenant, side(place).keyId, kind);
        return all[pick % all.length];
      };
      const query = { ...inputs.query?.(side('query').tenant), ...Object.fromEntries(Object.entries(spec.query ?? {}).map(([field, kind]) => [field, id('query', kind)])) };
      const base = inputs.body?.(side('body').tenant) ?? null;
      const body = base && { ...base, ...Object.fromEntries(Object.entries(spec.body ?? {}).map(([field, kind]) => [field, kind === 'client[]' ? [side('body').tenant.clientId] : id('body', kind)])) };
      probes.push({ probe: probeOf(fillPath(route, (kind) => id('params', kind)), query, body), carriesIds: true, foreign });
    }
  }
  return probes;
}

describe.each(BACKENDS)('access control on %s backends', (backend, available) => {
  const maybe = available ? it : it.skip;
  const app = useTestApp(backend, available);
  let w: World;

  beforeAll(async () => {
    if (!available) return;
    const t = app();
    const a = await arrangeTenant(t, CALLERS.a, RESTRICTED.a);
    const b = await arrangeTenant(t, CALLERS.b, RESTRICTED.b);
    const c = await arrangeTenant(t, CALLERS.c, RESTRICTED.c);
    const keysOfA = {} as Record<Role, IssuedKey>;
    for (const role of ROLES) keysOfA[role] = await issueKey(t, a.clientId, role);
    w = { a, b, c, keysOfA, agency: await issueKey(t, a.clientId, 'owner', [c.clientId]), ownerOfB: await issueKey(t, b.clientId, 'owner') };
  });

  /** Every key acting for client A: one per role, and the agency's. */
  const keysActingForA = (): [string, Role, IssuedKey][] => [...ROLES.map((role) => [role, role, w.keysOfA[role]] as [string, Role, IssuedKey]), ['agency (owner of A and C)', 'owner', w.agency]];
  const tracesOfB = () => traces(w.b, [w.ownerOfB.id]);

  maybe('when the router is walked, then every /v1 route has an access guard that checks every id in its path, and every write route has inputs here', () => {
    // Arrange
    const t = app();

    // Act
    const routes = adminRoutes(createApp(t.container));

    // Assert
    expect(routes.length).toBeGreaterThanOrEqual(29);
    const ownIds = new Set(traces(w.a, [w.keysOfA.owner.id]));
    expect({
      unguarded: routes.filter((r) => !r.guard).map(routeKey),
      pathIdsUnchecked: routes.flatMap((r) => (r.path.match(/:\w+/g) ?? []).filter((p) => !(p.slice(1) in (r.guard?.spec.params ?? {}))).map((p) => `${routeKey(r)} ${p}`)),
      writesWithoutInputs: routes.filter((r) => isWrite(r) && !INPUTS[routeKey(r)]?.body).map(routeKey),
      // An id in a body must be one the guard checks (else a new body field could point at another client's record).
      bodyIdsUnchecked: routes.flatMap((r) =>
        Object.entries(INPUTS[routeKey(r)]?.body?.(w.a) ?? {})
          .filter(([field, v]) => [v].flat().some((x) => typeof x === 'string' && ownIds.has(x)) && !(field in (r.guard?.spec.body ?? {})))
          .map(([field]) => `${routeKey(r)} body.${field}`),
      ),
      // A write behind a read permission would hand every read-only role that write.
      writesGuardedByRead: routes.filter((r) => isWrite(r) && r.guard?.permission.endsWith(':read')).map(routeKey),
      // Personal data (calls, subject requests, the audit trail) only behind the permissions meant for it.
      personalDataMisguarded: routes
        .filter((r) => /^\/v1\/(calls|privacy|audit-log)\b/.test(r.path))
        .filter((r) => !/^(calls:read|privacy:read|privacy:write|audit:read)$/.test(r.guard?.permission ?? ''))
        .map(routeKey),
    }).toEqual({ unguarded: [], pathIdsUnchecked: [], writesWithoutInputs: [], bodyIdsUnchecked: [], writesGuardedByRead: [], personalDataMisguarded: [] });
  });

  maybe('when docs/security.md says which permission each route needs, then it says what the guards check', () => {
    // Arrange: rows such as "| `POST /v1/pools` | `pools:write` | siteId |"
    const doc = readFileSync(path.join(__dirname, '..', '..', 'docs', 'security.md'), 'utf8');
    const documented = [...doc.matchAll(/^\| `([A-Z]+ \/v1[^`]*)` \| `([a-z]+:[a-z]+)` \|/gm)].map((m) => `${m[1]} ${m[2]}`);

    // Act
    const guarded = adminRoutes(createApp(app().container)).map((r) => `${routeKey(r)} ${r.guard?.permission}`);

    // Assert
    expect(documented.sort()).toEqual(guarded.sort());
  });

  maybe("when any key of client A calls any /v1 route with client B's ids in its path, query or body, then 403 or 404 and nothing anywhere changes", async () => {
    // Arrange
    const t = app();
    const routes = adminRoutes(createApp(t.container));
    const before = await databaseFingerprint(t, [w.a.poolId, w.b.poolId]);
    const outcomes: string[] = [];
    const leaks: string[] = [];
    let requests = 0;

    // Act
    for (const route of routes) {
      for (const { probe, carriesIds } of foreignProbes(route, w)) {
        for (const [label, role, key] of keysActingForA()) {
          const res = await send(t, key.key, probe);
          const allowed = roleAllows(role, route.guard?.permission ?? 'clients:create');
          // A route that carries no id at all (a list) may answer, but only with A's own records.
          const expected = !allowed ? 403 : carriesIds ? 404 : 200;
          if (res.status !== expected) outcomes.push(`${label} ${probe.method} ${probe.url} ${JSON.stringify(probe.body)} -> ${res.status} (expected ${expected})`);
          if (res.status >= 400) expectProblem(res, res.status);
          leaks.push(...leaked(res, probe, tracesOfB()).map((id) => `${label} ${probe.method} ${probe.url} leaked ${id}`));
          requests += 1;
        }
      }
    }
    const after = await databaseFingerprint(t, [w.a.poolId, w.b.poolId]);

    // Assert
    expect(requests).toBeGreaterThanOrEqual(routes.length * keysActingForA().length);
    expect(outcomes).toEqual([]);
    expect(leaks).toEqual([]);
    expect(after).toEqual(before);
  });

  maybe("when a route is aimed at another client's record, then the answer reads exactly as for a record that does not exist", async () => {
    // Arrange: each of B's ids in a request, and the same request with an unused id in its place.
    const t = app();
    const routes = adminRoutes(createApp(t.container)).filter((r) => roleAllows('owner', r.guard?.permission ?? 'clients:create'));
    const unused = new Map(traces(w.b, [w.ownerOfB.id]).filter((id) => UUID.test(id)).map((id) => [id, randomUUID()]));
    const swap = (text: string) => [...unused].reduce((out, [id, other]) => out.split(id).join(other), text);
    const problem = (r: Response) => ({ status: r.status, type: r.body.type, title: r.body.title, detail: r.body.detail });
    const before = await databaseFingerprint(t, [w.a.poolId, w.b.poolId]);
    const differ: string[] = [];

    // Act
    for (const route of routes) {
      for (const { probe, carriesIds, foreign } of foreignProbes(route, w)) {
        if (!carriesIds) continue;
        const absent: Probe = { ...probe, url: swap(probe.url), body: probe.body && JSON.parse(swap(JSON.stringify(probe.body))) };
        const toForeign = await send(t, w.keysOfA.owner.key, probe);
        const toAbsent = await send(t, w.keysOfA.owner.key, absent);
        // A list filtered by a record that does not exist is simply empty; by another client's, it is refused.
        if (route.method === 'GET' && foreign.every((p) => p === 'query') && toAbsent.status === 200) continue;
        if (JSON.stringify(problem(toForeign)) !== JSON.stringify(problem(toAbsent))) differ.push(`${probe.method} ${probe.url}: ${JSON.stringify(problem(toForeign))} but ${JSON.stringify(problem(toAbsent))}`);
      }
    }
    const after = await databaseFingerprint(t, [w.a.poolId, w.b.poolId]);

    // Assert
    expect(differ).toEqual([]);
    expect(after).toEqual(before);
  });

  maybe("when each role of client A calls every /v1 route on A's own records, then it is refused (403) exactly where roles.ts withholds the permission", async () => {
    // Arrange
    const t = app();
    const routes = adminRoutes(createApp(t.container));
    const missing = '00000000-0000-4000-8000-00000000dead';
    const mismatches: string[] = [];
    const leaks: string[] = [];

    // Act: reads on A's records; writes with a body that fails validation (400 after the guard) or, without a body, an id that does not exist (404).
    for (const route of routes) {
      const inputs = INPUTS[routeKey(route)] ?? {};
      const write = isWrite(route);
      const hasBody = write && inputs.body?.(w.a) !== null;
      const url = fillPath(route, (kind) => (write && !hasBody ? missing : idsOf(w.a, w.keysOfA.owner.id, kind)[0]));
      const query = new URLSearchParams({ ...inputs.query?.(w.a), ...Object.fromEntries(Object.entries(route.guard?.spec.query ?? {}).map(([f, kind]) => [f, idsOf(w.a, w.keysOfA.owner.id, kind)[0]])) });
      const probe: Probe = { method: route.method, url: query.size ? `${url}?${query}` : url, body: hasBody ? { notAField: true } : null };
      for (const role of ROLES) {
        const res = await send(t, w.keysOfA[role].key, probe);
        const allowed = roleAllows(role, route.guard?.permission ?? 'clients:create');
        // A write with neither body nor id (reconciliation, which no role has) is not repeated with real effect here: any answer but 403 shows the grant.
        const expected = !allowed ? 403 : !write ? 200 : hasBody ? 400 : route.path.includes(':') ? 404 : res.status === 403 ? 'not 403' : res.status;
        if (res.status !== expected) mismatches.push(`${role} ${probe.method} ${probe.url} -> ${res.status} (expected ${expected})`);
        leaks.push(...leaked(res, probe, tracesOfB()).map((id) => `${role} ${probe.method} ${probe.url} leaked ${id}`));
      }
    }

    // Assert
    expect(mismatches).toEqual([]);
    expect(leaks).toEqual([]);
  });

  describe('roles, as the issue names them', () => {
    maybe('when an analyst key is used, then it reads calls but cannot create a pool', async () => {
      const analyst = asKey(app(), w.keysOfA.analyst.key);

      const calls = await analyst.get('/v1/calls').expect(200);
      const pool = await analyst.post('/v1/pools', { siteId: w.a.siteId, name: 'Analyst pool', forwardTo: FORWARD_TO });

      expect(calls.body.data.map((c: { id: string }) => c.id)).toContain(w.a.callId);
      expectProblem(pool, 403);
    });

    maybe('when an admin key is used, then it sets up pools but reads no calls, no privacy requests and no keys', async () => {
      const admin = asKey(app(), w.keysOfA.admin.key);

      const pool = await admin.post('/v1/pools', { siteId: w.a.siteId, name: 'Admin pool', forwardTo: FORWARD_TO });
      const calls = await admin.get('/v1/calls');
      const call = await admin.get(`/v1/calls/${w.a.callId}`);
      const requests = await admin.get('/v1/privacy/requests');
      const keys = await admin.post(`/v1/clients/${w.a.clientId}/api-keys`, { role: 'analyst' });

      expect(pool.status).toBe(201);
      for (const res of [calls, call, requests, keys]) expectProblem(res, 403);
    });

    maybe('when a privacy key is used, then it files a subject request and reads the audit log, but cannot create a pool or read calls', async () => {
      const privacy = asKey(app(), w.keysOfA.privacy.key);

      const filed = await privacy.post('/v1/privacy/requests', { clientId: w.a.clientId, type: 'access', subject: { phone: CALLERS.a } });
      const audit = await privacy.get('/v1/audit-log');
      const pool = await privacy.post('/v1/pools', { siteId: w.a.siteId, name: 'Privacy pool', forwardTo: FORWARD_TO });
      const calls = await privacy.get('/v1/calls');

      expect(filed.status).toBe(201);
      expect(filed.body.requestedBy).toBe(`key:${w.keysOfA.privacy.id}`);
      expect(audit.status).toBe(200);
      expectProblem(pool, 403);
      expectProblem(calls, 403);
    });

    maybe('when any client key tries to create a client or reconcile numbers with the carrier, then 403 and no client is created', async () => {
      const t = app();
      const clientsBefore = (await adminApi(t).get('/v1/clients').expect(200)).body.data.length;

      for (const [, , key] of keysActingForA()) {
        expectProblem(await asKey(t, key.key).post('/v1/clients', { name: 'Shadow client' }), 403);
        expectProblem(await asKey(t, key.key).post('/v1/numbers/reconcile', {}), 403);
      }

      expect((await adminApi(t).get('/v1/clients').expect(200)).body.data).toHaveLength(clientsBefore);
    });
  });

  describe('lists', () => {
    maybe("when A's owner lists clients, calls, privacy requests and the audit log, then it sees A's and nothing of B's", async () => {
      // Arrange
      const t = app();
      const owner = asKey(t, w.keysOfA.owner.key);

      // Act
      const clients = (await owner.get('/v1/clients').expect(200)).body.data as { id: string }[];
      const calls = (await owner.get('/v1/calls?limit=500').expect(200)).body.data as { id: string; siteId: string }[];
      const requests = (await owner.get('/v1/privacy/requests?limit=500').expect(200)).body.data as { id: string; clientId: string }[];
      const audit = (await owner.get('/v1/audit-log?limit=500').expect(200)).body.data as { clientId: string }[];
      const everyAudit = (await adminApi(t).get('/v1/audit-log?limit=500').expect(200)).body.data as { clientId: string | null }[];

      // Assert
      expect(clients.map((c) => c.id)).toEqual([w.a.clientId]);
      expect(calls.map((c) => c.id)).toContain(w.a.callId);
      expect(new Set(calls.map((c) => c.siteId))).toEqual(new Set([w.a.siteId]));
      expect(requests.map((r) => r.id)).toEqual(expect.arrayContaining([w.a.accessRequestId, w.a.restrictionId]));
      expect(new Set(requests.map((r) => r.clientId))).toEqual(new Set([w.a.clientId]));
      expect(audit.length).toBeGreaterThan(0);
      expect(new Set(audit.map((e) => e.clientId))).toEqual(new Set([w.a.clientId]));
      // Not vacuous: the operator sees B's entries.
      expect(everyAudit.some((e) => e.clientId === w.b.clientId)).toBe(true);
    });

    maybe("when A's owner filters a list by an id that exists nowhere or by B's id, then both answer the same 404", async () => {
      // Arrange
      const t = app();
      const owner = asKey(t, w.keysOfA.owner.key);
      const nowhere = '00000000-0000-4000-8000-000000000000';

      // Act + Assert: nothing tells an unknown id from another client's.
      for (const [list, field, bId] of [['/v1/calls', 'siteId', w.b.siteId], ['/v1/privacy/requests', 'clientId', w.b.clientId], ['/v1/audit-log', 'clientId', w.b.clientId]] as const) {
        const unknown = await owner.get(`${list}?${field}=${nowhere}`).expect(404);
        const other = await owner.get(`${list}?${field}=${bId}`).expect(404);
        expect(unknown.body).toEqual(other.body);
      }
      // The operator's view of an unknown id is an empty list, as before.
      expect((await adminApi(t).get(`/v1/calls?siteId=${nowhere}`).expect(200)).body.data).toEqual([]);
    });

    maybe("when A's keys look a number up by E.164, then B's number is not found and A's is", async () => {
      const t = app();
      for (const role of ['owner', 'admin', 'analyst'] as const) {
        const key = asKey(t, w.keysOfA[role].key);
        const foreign = await key.get(`/v1/numbers?e164=${encodeURIComponent(w.b.numbers[0])}`).expect(200);
        const own = await key.get(`/v1/numbers?e164=${encodeURIComponent(w.a.numbers[0])}`).expect(200);
        expect(foreign.body).toEqual({ data: [] });
        expect(own.body.data.map((n: { id: string }) => n.id)).toEqual([w.a.numberIds[0]]);
      }
      expect((await adminApi(t).get(`/v1/numbers?e164=${encodeURIComponent(w.b.numbers[0])}`).expect(200)).body.data).toHaveLength(1);
    });
  });

  describe('agencies', () => {
    maybe('when a key is granted to clients A and C, then it acts within both and not within B', async () => {
      // Arrange
      const t = app();
      const agency = asKey(t, w.agency.key);

      // Act
      const clients = (await agency.get('/v1/clients').expect(200)).body.data as { id: string }[];
      const calls = (await agency.get('/v1/calls?limit=500').expect(200)).body.data as { id: string }[];
      const siteA = await agency.get(`/v1/sites/${w.a.siteId}`);
      const siteC = await agency.get(`/v1/sites/${w.c.siteId}`);
      const siteB = await agency.get(`/v1/sites/${w.b.siteId}`);
      const poolC = await agency.post('/v1/pools', { siteId: w.c.siteId, name: 'Agency pool', forwardTo: FORWARD_TO });
      const poolB = await agency.post('/v1/pools', { siteId: w.b.siteId, name: 'Agency pool', forwardTo: FORWARD_TO });
      const requestsC = await agency.get(`/v1/privacy/requests?clientId=${w.c.clientId}`);
      const requestsB = await agency.get(`/v1/privacy/requests?clientId=${w.b.clientId}`);

      // Assert
      expect(clients.map((c) => c.id).sort()).toEqual([w.a.clientId, w.c.clientId].sort());
      expect(calls.map((c) => c.id)).toEqual(expect.arrayContaining([w.a.callId, w.c.callId]));
      expect(calls.map((c) => c.id)).not.toContain(w.b.callId);
      expect([siteA.status, siteC.status, poolC.status, requestsC.status]).toEqual([200, 200, 201, 200]);
      expectProblem(siteB, 404);
      expectProblem(poolB, 404);
      expectProblem(requestsB, 404);
    });

    maybe("when A's own owner lists A's keys, then the agency's key is listed naming only A, and A's owner cannot revoke it", async () => {
      // Arrange
      const t = app();

      // Act
      const seenByA = (await asKey(t, w.keysOfA.owner.key).get(`/v1/clients/${w.a.clientId}/api-keys`).expect(200)).body.data as { id: string; clientIds: string[] }[];
      const seenByAgency = (await asKey(t, w.agency.key).get(`/v1/clients/${w.a.clientId}/api-keys`).expect(200)).body.data as { id: string; clientIds: string[] }[];
      const revoke = await asKey(t, w.keysOfA.owner.key).delete(`/v1/api-keys/${w.agency.id}`);

      // Assert
      expect(seenByA.find((k) => k.id === w.agency.id)?.clientIds).toEqual([w.a.clientId]);
      expect(JSON.stringify(seenByA)).not.toContain(w.c.clientId);
      expect(seenByAgency.find((k) => k.id === w.agency.id)?.clientIds.sort()).toEqual([w.a.clientId, w.c.clientId].sort());
      expectProblem(revoke, 404);
      await asKey(t, w.agency.key).get('/v1/clients').expect(200);
    });
  });

  describe('API keys', () => {
    maybe('when an owner creates a key, then it is shown once: ctk_live_ and 256 random bits, stored only as its SHA-256, never in any later answer', async () => {
      // Arrange
      const t = app();
      const owner = asKey(t, w.keysOfA.owner.key);

      // Act
      const created = await owner.post(`/v1/clients/${w.a.clientId}/api-keys`, { role: 'analyst' });
      const key = created.body.key as string;
      const later = [
        await owner.get(`/v1/clients/${w.a.clientId}/api-keys`),
        await owner.get('/v1/audit-log?limit=500'),
        await asKey(t, key).get('/v1/calls'),
        await asKey(t, key).get(`/v1/clients/${w.a.clientId}`),
        await adminApi(t).get(`/v1/clients/${w.a.clientId}/api-keys`),
        await adminApi(t).get('/v1/audit-log?limit=500'),
        await owner.delete(`/v1/api-keys/${created.body.id}`),
      ];
      const stored = await t.container.db.query<{ key_hash: string; prefix: string }>('SELECT key_hash, prefix FROM api_keys WHERE id = $1', [created.body.id]);
      const tables = await t.container.db.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'");
      const holding: string[] = [];
      for (const { name } of tables.rows) {
        const { rows } = await t.container.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${name}" t WHERE strpos(t::text, $1) > 0`, [key.slice(9)]);
        if (rows[0].n) holding.push(name);
      }

      // Assert
      expect(created.status).toBe(201);
      expect(created.headers['cache-control']).toBe('no-store');
      expect(key).toMatch(/^ctk_live_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(key.slice('ctk_live_'.length), 'base64url')).toHaveLength(32);
      expect(created.body.prefix).toBe(key.slice(0, 13));
      expect(stored.rows).toEqual([{ key_hash: createHash('sha256').update(key).digest('hex'), prefix: key.slice(0, 13) }]);
      expect(holding).toEqual([]);
      expect(later.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200, 200]);
      for (const res of later) {
        expect(res.text).not.toContain(key.slice(9));
        expect(res.text).not.toContain(stored.rows[0].key_hash);
      }
      const listed = later[0].body.data as Record<string, unknown>[];
      for (const item of listed) expect(Object.keys(item).sort()).toEqual(KEY_FIELDS);
      expect(Object.keys(later[6].body).sort()).toEqual(KEY_FIELDS);
    });

    maybe('when two keys are created, then their secrets differ', async () => {
      const t = app();
      const one = await issueKey(t, w.a.clientId, 'analyst');
      const two = await issueKey(t, w.a.clientId, 'analyst');
      expect(one.key).not.toBe(two.key);
    });

    maybe('when a key is used, then its last-used time is recorded (as another instance, whose first use is written at once)', async () => {
      // Arrange
      const t = app();
      const issued = await issueKey(t, w.a.clientId, 'analyst');
      const otherInstance = new ApiKeyAuthenticator(t.container.access.keys, hashApiKey(TEST_ADMIN_KEY));
      const before = (await adminApi(t).get(`/v1/clients/${w.a.clientId}/api-keys`).expect(200)).body.data.find((k: { id: string }) => k.id === issued.id);

      // Act
      await otherInstance.authenticate(issued.key);
      let listed: { lastUsedAt: string | null } | undefined;
      for (let i = 0; i < 100 && !listed?.lastUsedAt; i += 1) {
        await new Promise((resolve) => setImmediate(resolve));
        listed = (await adminApi(t).get(`/v1/clients/${w.a.clientId}/api-keys`).expect(200)).body.data.find((k: { id: string }) => k.id === issued.id);
      }

      // Assert
      expect(before.lastUsedAt).toBeNull();
      expect(Date.parse(listed?.lastUsedAt ?? '')).not.toBeNaN();
    });

    maybe('when a key is revoked, then it is refused (401) at once on this instance, and the listing shows when', async () => {
      // Arrange
      const t = app();
      const issued = await issueKey(t, w.a.clientId, 'admin', undefined, w.keysOfA.owner.key);
      await asKey(t, issued.key).get(`/v1/sites/${w.a.siteId}`).expect(200);

      // Act
      const revoked = await asKey(t, w.keysOfA.owner.key).delete(`/v1/api-keys/${issued.id}`);
      const afterwards = await asKey(t, issued.key).get(`/v1/sites/${w.a.siteId}`);
      const listed = (await asKey(t, w.keysOfA.owner.key).get(`/v1/clients/${w.a.clientId}/api-keys`).expect(200)).body.data.find((k: { id: string }) => k.id === issued.id);

      // Assert
      expect(revoked.status).toBe(200);
      expect(revoked.body.revokedAt).toEqual(expect.any(String));
      expectProblem(afterwards, 401);
      expect(listed.revokedAt).toBe(revoked.body.revokedAt);
    });

    maybe("when B's owner tries to revoke or list A's keys, then 404 and A's key keeps working, revoked or not", async () => {
      // Arrange
      const t = app();
      const issued = await issueKey(t, w.a.clientId, 'analyst');
      const ownerOfB = asKey(t, w.ownerOfB.key);

      // Act
      const whileActive = await ownerOfB.delete(`/v1/api-keys/${issued.id}`);
      const stillWorks = await asKey(t, issued.key).get('/v1/calls');
      const list = await ownerOfB.get(`/v1/clients/${w.a.clientId}/api-keys`);
      const create = await ownerOfB.post(`/v1/clients/${w.a.clientId}/api-keys`, { role: 'owner' });
      await asKey(t, w.keysOfA.owner.key).delete(`/v1/api-keys/${issued.id}`).expect(200);
      const whileRevoked = await ownerOfB.delete(`/v1/api-keys/${issued.id}`);

      // Assert
      expectProblem(whileActive, 404);
      expect(stillWorks.status).toBe(200);
      expectProblem(list, 404);
      expectProblem(create, 404);
      expectProblem(whileRevoked, 404);
      expect(whileRevoked.text).not.toContain(w.a.clientId);
    });

    maybe("when A's owner asks for a key that also acts for B, then 404 and no key is created", async () => {
      const t = app();
      const count = async () => (await t.container.db.query<{ n: number }>('SELECT count(*)::int AS n FROM api_keys')).rows[0].n;
      const before = await count();

      const res = await asKey(t, w.keysOfA.owner.key).post(`/v1/clients/${w.a.clientId}/api-keys`, { role: 'owner', alsoClientIds: [w.b.clientId] });

      expectProblem(res, 404);
      expect(await count()).toBe(before);
    });
  });

  describe('mass assignment', () => {
    maybe('when an admin key sets retention on a site, then 403 and nothing changes; the owner may', async () => {
      // Arrange
      const t = app();
      const admin = asKey(t, w.keysOfA.admin.key);
      const before = (await adminApi(t).get(`/v1/sites/${w.a.siteId}`).expect(200)).body;

      // Act
      const patch = await admin.patch(`/v1/sites/${w.a.siteId}`, { trackingEnabled: true, activityRetentionDays: 30 });
      const reset = await admin.patch(`/v1/sites/${w.a.siteId}`, { callRetentionMonths: null });
      const create = await admin.post('/v1/sites', { clientId: w.a.clientId, name: 'Retention shop', domains: ['retention.example'], activityRetentionDays: 30 });
      const client = await admin.patch(`/v1/clients/${w.a.clientId}`, { activityRetentionDays: 30 });
      const unchanged = (await adminApi(t).get(`/v1/sites/${w.a.siteId}`).expect(200)).body;
      const byOwner = await asKey(t, w.keysOfA.owner.key).patch(`/v1/sites/${w.a.siteId}`, { activityRetentionDays: 30 });

      // Assert
      for (const res of [patch, reset, create, client]) expectProblem(res, 403);
      expect(unchanged).toEqual(before);
      expect(byOwner.status).toBe(200);
      expect(byOwner.body.activityRetentionDays).toBe(30);
    });

    maybe('when a valid body of any write route gains an unknown field, then the operator gets 400 and no key ever gets 2xx; nothing changes', async () => {
      // Arrange
      const t = app();
      const routes = adminRoutes(createApp(t.container)).filter((r) => isWrite(r) && INPUTS[routeKey(r)]?.body?.(w.a));
      const before = await databaseFingerprint(t, [w.a.poolId]);
      const wrong: string[] = [];

      // Act
      for (const route of routes) {
        const probe: Probe = { method: route.method, url: fillPath(route, (kind) => idsOf(w.a, w.keysOfA.owner.id, kind)[0]), body: { ...INPUTS[routeKey(route)].body?.(w.a), isAdmin: true } };
        const operator = await send(t, TEST_ADMIN_KEY, probe);
        if (operator.status !== 400 || !String(operator.body.detail).includes('isAdmin')) wrong.push(`operator ${probe.method} ${probe.url} -> ${operator.status}`);
        for (const [label, role, key] of keysActingForA()) {
          const res = await send(t, key.key, probe);
          const expected = roleAllows(role, route.guard?.permission ?? 'clients:create') ? 400 : 403;
          if (res.status !== expected) wrong.push(`${label} ${probe.method} ${probe.url} -> ${res.status} (expected ${expected})`);
        }
      }
      const after = await databaseFingerprint(t, [w.a.poolId]);

      // Assert
      expect(routes.length).toBeGreaterThanOrEqual(9);
      expect(wrong).toEqual([]);
      expect(after).toEqual(before);
    });
  });

  maybe('when the path is written in another case, then the admin API still asks for a key', async () => {
    const t = app();
    const res = await request(t.app).get(`/V1/sites/${w.b.siteId}`);
    expect([401, 404]).toContain(res.status);
    expect(res.text).not.toContain(w.b.siteKey);
  });
});
