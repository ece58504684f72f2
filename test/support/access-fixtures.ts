import type express from 'express';
import request from 'supertest';
import { GUARD, type Guard, type GuardSpec } from '../../src/access/guard';
import type { Permission, Role } from '../../src/access/roles';
import type { OwnedKind } from '../../src/access/tenant-resolver';
import type { TestApp } from './test-app';
import { adminApi, createTrackedSite } from './fixtures';
import { answeredCall, trackedVisitor } from './privacy-fixtures';
import { listRoutes } from './route-inventory';
import { declaredRoutes } from '../../src/shared/http/route-walk';

/**
 * Arrange steps for the access-control suite: clients with everything a key could reach (site, pool,
 * numbers, a visit, a call, privacy requests, keys), the admin routes with the guard each declares, and
 * a fingerprint of the whole database to prove that refused requests changed nothing.
 */

export interface IssuedKey {
  id: string;
  /** The secret, as shown once at creation. */
  key: string;
}

export interface Tenant {
  clientId: string;
  siteId: string;
  siteKey: string;
  poolId: string;
  numberIds: string[];
  /** The tracking numbers, E.164, in the order of numberIds. */
  numbers: string[];
  visitId: string;
  visitorId: string;
  callId: string;
  callSid: string;
  /** The person who called this client (fictional, Ofcom's drama range). */
  caller: string;
  accessRequestId: string;
  restrictionId: string;
  /** A client webhook, and the delivery of the call's call.started event to it (never sent here). */
  webhookId: string;
  deliveryId: string;
}

/**
 * A client with a tracked site, a pool of two numbers, a visitor who was shown a number and called it
 * (signed webhooks), an access request for that caller and a restriction for another number.
 */
export async function arrangeTenant(t: TestApp, caller: string, restricted: string): Promise<Tenant> {
  const api = adminApi(t);
  const site = await createTrackedSite(t, { numbers: 2 });
  const numbers = (await api.get(`/v1/pools/${site.poolId}/numbers`).expect(200)).body.data as { id: string; e164: string }[];
  const visitor = await trackedVisitor(t, site);
  const webhook = await api.post('/v1/webhooks', { clientId: site.clientId, url: 'https://hooks.example.test/calls', events: ['call.started'] }).expect(201);
  const call = await answeredCall(t, visitor.number.e164, caller);
  await t.container.integrations.dispatcher.run();
  const deliveries = await api.get(`/v1/webhooks/${webhook.body.id}/deliveries`).expect(200);
  const access = await api.post('/v1/privacy/requests', { clientId: site.clientId, type: 'access', subject: { phone: caller } }).expect(201);
  const restriction = await api.post('/v1/privacy/requests', { clientId: site.clientId, type: 'restriction', subject: { phone: restricted } }).expect(201);
  return {
    clientId: site.clientId,
    siteId: site.siteId,
    siteKey: site.siteKey,
    poolId: site.poolId as string,
    numberIds: numbers.map((n) => n.id),
    numbers: numbers.map((n) => n.e164),
    visitId: visitor.visitId,
    visitorId: visitor.visitorId,
    callId: call.id,
    callSid: call.callSid,
    caller,
    accessRequestId: access.body.id,
    restrictionId: restriction.body.id,
    webhookId: webhook.body.id,
    deliveryId: deliveries.body.data[0].id,
  };
}

/** A key issued through the API by the operator (or by `issuer`, another key). */
export async function issueKey(t: TestApp, clientId: string, role: Role, alsoClientIds?: string[], issuer?: string): Promise<IssuedKey> {
  const body = { role, ...(alsoClientIds ? { alsoClientIds } : {}) };
  const req = issuer ? request(t.app).post(`/v1/clients/${clientId}/api-keys`).set('Authorization', `Bearer ${issuer}`).send(body) : adminApi(t).post(`/v1/clients/${clientId}/api-keys`, body);
  const res = await req.expect(201);
  return { id: res.body.id, key: res.body.key };
}

/** The ids of one kind that a tenant holds; what a guard spec's OwnedKind names. */
export function idsOf(tenant: Tenant, keyId: string, kind: OwnedKind): string[] {
  const ids: Record<OwnedKind, string[]> = {
    client: [tenant.clientId],
    site: [tenant.siteId],
    pool: [tenant.poolId],
    number: tenant.numberIds,
    call: [tenant.callId],
    privacyRequest: [tenant.accessRequestId, tenant.restrictionId],
    apiKey: [keyId],
    webhook: [tenant.webhookId],
    delivery: [tenant.deliveryId],
  };
  return ids[kind];
}

/** Everything of a tenant that must never reach another client: ids, public ids, numbers, the caller. */
export function traces(tenant: Tenant, keyIds: string[]): string[] {
  const { numberIds, numbers, ...single } = tenant;
  return [...Object.values(single), ...numberIds, ...numbers, ...keyIds];
}

export interface AdminRoute {
  method: string;
  /** As declared: '/v1/pools/:poolId'. */
  path: string;
  /** The route's access guard, or null when it has none. */
  guard: { permission: Permission; spec: GuardSpec } | null;
}

/**
 * Every /v1 route of the app (as listRoutes finds them) with the guard among its handlers. The guard
 * is recognised by its GUARD mark, so a route added without one shows up with `guard: null`.
 */
export function adminRoutes(app: express.Express): AdminRoute[] {
  const guards = new Map<string, AdminRoute['guard']>();
  for (const route of declaredRoutes(app)) {
    for (const handler of route.handlers) {
      const mark = (handler.handle as Partial<Guard>)[GUARD];
      if (mark) guards.set(`${(handler.method ?? '_all').toUpperCase()} ${route.path}`, mark);
    }
  }
  return listRoutes(app)
    .filter((r) => r.path === '/v1' || r.path.startsWith('/v1/'))
    .map((r) => ({ ...r, guard: guards.get(`${r.method} ${r.path}`) ?? guards.get(`_ALL ${r.path}`) ?? null }));
}

/**
 * A fingerprint of every table (row count and md5 of all rows) and of a pool's live state in the
 * pool store. api_keys.last_used_at is left out: using a key is allowed to record that it was used.
 * Taken until two readings agree, so audit entries of earlier requests (written after their response)
 * have landed.
 */
export async function databaseFingerprint(t: TestApp, poolIds: string[]): Promise<Record<string, string>> {
  const read = async () => {
    await Promise.all([t.container.leaseHistory.flush(), t.container.pageViews.flush()]);
    const tables = await t.container.db.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
    );
    const print: Record<string, string> = {};
    for (const { name } of tables.rows) {
      const { rows } = await t.container.db.query<{ n: number; h: string }>(
        `SELECT count(*)::int AS n, coalesce(md5(string_agg(r, '|' ORDER BY r)), '') AS h FROM (SELECT (to_jsonb(t) - 'last_used_at')::text AS r FROM "${name}" t) rows`,
      );
      print[name] = `${rows[0].n} ${rows[0].h}`;
    }
    for (const poolId of poolIds) {
      const pool = await adminApi(t).get(`/v1/pools/${poolId}`).expect(200);
      print[`pool ${poolId}`] = JSON.stringify(pool.body.stats);
    }
    return print;
  };
  let previous = await read();
  for (let i = 0; i < 20; i += 1) {
    const current = await read();
    if (JSON.stringify(current) === JSON.stringify(previous)) return current;
    previous = current;
  }
  throw new Error('the database did not settle: something keeps writing');
}
