import express from 'express';
import request from 'supertest';
import { errorHandler } from '../shared/http/error-handler';
import { AccessControl, GUARD, type GuardSpec } from './guard';
import { OPERATOR_ACCESS, type Access, type Permission, type Role } from './roles';
import type { OwnedKind } from './tenant-resolver';

const A = '0a0a0a0a-0000-4000-8000-00000000000a';
const B = '0b0b0b0b-0000-4000-8000-00000000000b';
const C = '0c0c0c0c-0000-4000-8000-00000000000c';
const SITE_A = '5a000000-0000-4000-8000-00000000000a';
const SITE_B = '5b000000-0000-4000-8000-00000000000b';
const AGENCY_KEY = 'ac000000-0000-4000-8000-0000000000ac';
const RELEASED_NUMBER = '9e000000-0000-4000-8000-000000000000';
const MISSING = 'ffffffff-0000-4000-8000-000000000000';

/** Who owns what, as TenantResolver would answer from the database; counts its lookups. */
class FakeResolver {
  lookups = 0;
  failing = false;
  private readonly owners = new Map<string, string[]>([
    [`client:${A}`, [A]],
    [`client:${B}`, [B]],
    [`client:${C}`, [C]],
    [`site:${SITE_A}`, [A]],
    [`site:${SITE_B}`, [B]],
    [`apiKey:${AGENCY_KEY}`, [A, C]],
    [`number:${RELEASED_NUMBER}`, []],
  ]);

  async ownersOf(kind: OwnedKind, id: string): Promise<string[]> {
    this.lookups += 1;
    if (this.failing) throw new Error('database unavailable');
    return this.owners.get(`${kind}:${id}`) ?? [];
  }

  async exists(kind: OwnedKind, id: string): Promise<boolean> {
    return this.owners.has(`${kind}:${id}`);
  }
}

const keyFor = (role: Role, clients: string[]): Access => ({ actor: 'key:k1', role, keyId: 'k1', clients });

/** One guarded route, behind a stand-in for authentication that sets the caller's Access. */
function guardedApp(resolver: FakeResolver, access: Access, permission: Permission, spec: GuardSpec) {
  const app = express();
  app.use(express.json());
  app.use((_req, res, next) => {
    res.locals.access = access;
    next();
  });
  app.all(['/things', '/things/:thingId'], new AccessControl(resolver).guard(permission, spec), (_req, res) => void res.status(204).end());
  app.use(errorHandler);
  return app;
}

describe('AccessControl.guard', () => {
  let resolver: FakeResolver;
  beforeEach(() => {
    resolver = new FakeResolver();
  });

  it('when the role lacks the permission, then 403 problem naming role and permission, before any id is looked up', async () => {
    // Arrange
    const app = guardedApp(resolver, keyFor('analyst', [A]), 'pools:write', { body: { siteId: 'site' } });

    // Act
    const res = await request(app).post('/things').send({ siteId: SITE_A });

    // Assert
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.detail).toMatch(/analyst.*pools:write/);
    expect(resolver.lookups).toBe(0);
  });

  it.each([
    ['a number', { activityRetentionDays: 30 }],
    ['null (back to the default)', { callRetentionMonths: null }],
  ])('when a body sets a field that needs a permission the role lacks, to %s, then 403 problem naming the field', async (_label, body) => {
    // Arrange
    const spec: GuardSpec = { params: { thingId: 'site' }, fields: { activityRetentionDays: 'retention:write', callRetentionMonths: 'retention:write' } };

    // Act
    const admin = await request(guardedApp(resolver, keyFor('admin', [A]), 'sites:write', spec)).patch(`/things/${SITE_A}`).send(body);
    const owner = await request(guardedApp(resolver, keyFor('owner', [A]), 'sites:write', spec)).patch(`/things/${SITE_A}`).send(body);
    const adminOtherFields = await request(guardedApp(resolver, keyFor('admin', [A]), 'sites:write', spec)).patch(`/things/${SITE_A}`).send({ trackingEnabled: true });

    // Assert
    expect(admin.status).toBe(403);
    expect(admin.body.detail).toMatch(new RegExp(`${Object.keys(body)[0]}.*retention:write`));
    expect(owner.status).toBe(204);
    expect(adminOtherFields.status).toBe(204);
  });

  it.each([
    ['path', { params: { thingId: 'site' } } as GuardSpec, (id: string) => ({ url: `/things/${id}`, body: {} }), 'No site with this id.'],
    ['query', { query: { siteId: 'site' } } as GuardSpec, (id: string) => ({ url: `/things?siteId=${id}`, body: {} }), 'No site with this siteId.'],
    ['body', { body: { siteId: 'site' } } as GuardSpec, (id: string) => ({ url: '/things', body: { siteId: id } }), 'No site with this siteId.'],
  ])("when the %s carries another client's id, then 404 problem worded as the routes word a missing one; the caller's own id passes", async (_where, spec, build, detail) => {
    // Arrange
    const app = guardedApp(resolver, keyFor('admin', [A]), 'sites:read', spec);
    const foreign = build(SITE_B);
    const own = build(SITE_A);

    // Act
    const denied = await request(app).post(foreign.url).send(foreign.body);
    const allowed = await request(app).post(own.url).send(own.body);

    // Assert
    expect(denied.status).toBe(404);
    expect(denied.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(denied.body.detail).toBe(detail);
    expect(allowed.status).toBe(204);
  });

  it("when a list of client ids holds one other client's among the caller's own, then 404", async () => {
    // Arrange
    const app = guardedApp(resolver, keyFor('owner', [A, C]), 'keys:manage', { body: { alsoClientIds: 'client[]' } });

    // Act
    const mixed = await request(app).post('/things').send({ alsoClientIds: [A, B, C] });
    const own = await request(app).post('/things').send({ alsoClientIds: [A, C] });

    // Assert
    expect(mixed.status).toBe(404);
    expect(own.status).toBe(204);
  });

  it('when a record belongs to several clients (an agency key), then only a caller acting for all of them passes', async () => {
    // Arrange
    const spec: GuardSpec = { params: { thingId: 'apiKey' } };

    // Act
    const ownerOfA = await request(guardedApp(resolver, keyFor('owner', [A]), 'keys:manage', spec)).delete(`/things/${AGENCY_KEY}`);
    const agency = await request(guardedApp(resolver, keyFor('owner', [A, C]), 'keys:manage', spec)).delete(`/things/${AGENCY_KEY}`);

    // Assert
    expect(ownerOfA.status).toBe(404);
    expect(agency.status).toBe(204);
  });

  it('when a record exists but belongs to no client (a released number), then a client key gets 404 and the operator passes', async () => {
    // Arrange
    const spec: GuardSpec = { params: { thingId: 'number' } };

    // Act
    const key = await request(guardedApp(resolver, keyFor('admin', [A]), 'numbers:read', spec)).get(`/things/${RELEASED_NUMBER}`);
    const operator = await request(guardedApp(resolver, OPERATOR_ACCESS, 'numbers:read', spec)).get(`/things/${RELEASED_NUMBER}`);

    // Assert
    expect(key.status).toBe(404);
    expect(operator.status).toBe(204);
  });

  it.each([
    ['does not exist', MISSING],
    ['is not an id at all', 'not-a-uuid'],
  ])('when an id %s, then the guard lets the route answer for itself (its own 404 or 400)', async (_label, id) => {
    // Act
    const res = await request(guardedApp(resolver, keyFor('admin', [A]), 'sites:read', { params: { thingId: 'site' } })).get(`/things/${id}`);

    // Assert
    expect(res.status).toBe(204);
  });

  it('when a query id is repeated (an array), then it is left to the route, whose validation refuses anything but one string', async () => {
    // Act
    const res = await request(guardedApp(resolver, keyFor('admin', [A]), 'sites:read', { query: { siteId: 'site' } })).get(`/things?siteId=${SITE_B}&siteId=${SITE_A}`);

    // Assert: not a pass for SITE_B on its own authority; every route parses its query with zod (z.uuid()).
    expect(res.status).toBe(204);
    expect(resolver.lookups).toBe(0);
  });

  it('when the caller is the operator, then no id is looked up', async () => {
    // Act
    const res = await request(guardedApp(resolver, OPERATOR_ACCESS, 'clients:create', { params: { thingId: 'client' } })).post(`/things/${B}`);

    // Assert
    expect(res.status).toBe(204);
    expect(resolver.lookups).toBe(0);
  });

  it('when ownership cannot be looked up, then the request fails (500), neither passing nor pretending the id is unknown', async () => {
    // Arrange
    resolver.failing = true;

    // Act
    const res = await request(guardedApp(resolver, keyFor('admin', [A]), 'sites:read', { params: { thingId: 'site' } })).get(`/things/${SITE_A}`);

    // Assert
    expect(res.status).toBe(500);
  });

  it('when a guard is built, then it carries its permission and spec under the GUARD symbol', () => {
    // Arrange
    const spec: GuardSpec = { params: { siteId: 'site' }, fields: { activityRetentionDays: 'retention:write' } };

    // Act
    const guard = new AccessControl(resolver).guard('sites:write', spec);

    // Assert
    expect(guard[GUARD]).toEqual({ permission: 'sites:write', spec });
  });
});

describe('AccessControl.visible', () => {
  it('when a list route asks whether a record found by another key may be shown, then only to its own clients and the operator', async () => {
    // Arrange
    const control = new AccessControl(new FakeResolver());

    // Act / Assert
    expect(await control.visible(keyFor('analyst', [A]), 'site', SITE_A)).toBe(true);
    expect(await control.visible(keyFor('analyst', [A]), 'site', SITE_B)).toBe(false);
    expect(await control.visible(keyFor('analyst', [A]), 'number', RELEASED_NUMBER)).toBe(false);
    expect(await control.visible(keyFor('analyst', [A]), 'site', MISSING)).toBe(false);
    expect(await control.visible(OPERATOR_ACCESS, 'site', SITE_B)).toBe(true);
  });
});
