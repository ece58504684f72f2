import { describeWithPostgres } from '../../test/support/conditional';
import { createPgliteTestDatabase, createPostgresTestDatabase, type TestDatabase } from '../../test/support/databases';
import { seedPool, seedSite } from '../../test/support/sql-seed';
import type { Database } from '../db/database';
import { SqlNumberStore, type NewTrackingNumber } from './number-store';

const FORWARD_TO = '+441134960999';

// Each test takes numbers of its own from the fictional 020 7946 0xxx range, so one database serves the file.
let nextNumber = 0;
const fictionalNumber = () => `+44207946${String(nextNumber++).padStart(4, '0')}`;

function runNumberStoreBasics(createDatabase: () => Promise<TestDatabase>): void {
  let testDb: TestDatabase;
  let db: Database;
  let store: SqlNumberStore;

  beforeAll(async () => {
    testDb = await createDatabase();
    db = testDb.db;
    store = new SqlNumberStore(db);
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  const newNumber = (poolId: string | null, over: Partial<NewTrackingNumber> = {}): NewTrackingNumber => ({
    poolId,
    e164: fictionalNumber(),
    country: 'GB',
    provider: 'simulated',
    providerSid: null,
    ...over,
  });

  async function poolOfNewSite(): Promise<{ siteId: string; poolId: string }> {
    const siteId = await seedSite(db);
    return { siteId, poolId: await seedPool(db, siteId, FORWARD_TO) };
  }

  it('when a number is inserted, then it comes back active, in the pool rotation, with an id', async () => {
    const { poolId } = await poolOfNewSite();
    const number = newNumber(poolId, { providerSid: 'PN0123456789abcdef0123456789abcdef' });

    const row = await store.insert(number);

    expect(row).toEqual({ ...number, id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'active', role: 'pool', staticSource: null });
  });

  it('when a number is already known, then inserting it again returns null and leaves the first row alone', async () => {
    const first = await poolOfNewSite();
    const second = await poolOfNewSite();
    const number = newNumber(first.poolId);
    const original = await store.insert(number);

    const again = await store.insert({ ...number, poolId: second.poolId });

    expect(again).toBeNull();
    expect(await store.findByIds([original!.id])).toEqual([original]);
  });

  it('when asked which of some numbers exist, then only the known ones are returned', async () => {
    const { poolId } = await poolOfNewSite();
    const known = (await store.insert(newNumber(poolId)))!.e164;
    const unknown = fictionalNumber();

    expect(await store.findExisting([known, unknown])).toEqual(new Set([known]));
    expect(await store.findExisting([])).toEqual(new Set());
  });

  it('when a pool is listed, then only its numbers are returned, in number order', async () => {
    const { poolId } = await poolOfNewSite();
    const other = await poolOfNewSite();
    const [a, b] = [fictionalNumber(), fictionalNumber()];
    await store.insert(newNumber(poolId, { e164: b }));
    await store.insert(newNumber(poolId, { e164: a }));
    await store.insert(newNumber(other.poolId));

    expect((await store.listByPool(poolId)).map((n) => n.e164)).toEqual([a, b]);
  });

  it('when the rotation is listed, then overflow, static and inactive numbers are left out', async () => {
    const { poolId } = await poolOfNewSite();
    const rotating = await store.insert(newNumber(poolId));
    await store.insert(newNumber(poolId, { role: 'overflow' }));
    await store.insert(newNumber(poolId, { role: 'static', staticSource: 'newspaper' }));
    const quarantined = await store.insert(newNumber(poolId));
    await db.query("UPDATE tracking_numbers SET status = 'quarantined' WHERE id = $1", [quarantined!.id]);

    expect((await store.listRotation(poolId)).map((n) => n.id)).toEqual([rotating!.id]);
  });

  it('when numbers are looked up by id, then unknown ids are ignored', async () => {
    const { poolId } = await poolOfNewSite();
    const row = await store.insert(newNumber(poolId));

    expect(await store.findByIds([row!.id, '00000000-0000-4000-8000-000000000000'])).toEqual([row]);
    expect(await store.findByIds([])).toEqual([]);
  });

  it('when a pool number is called, then its route names the site, the pool and the line to forward to', async () => {
    const { siteId, poolId } = await poolOfNewSite();
    const row = await store.insert(newNumber(poolId, { role: 'static', staticSource: 'yellow pages' }));

    expect(await store.findRoute(row!.e164)).toEqual({
      numberId: row!.id,
      e164: row!.e164,
      status: 'active',
      role: 'static',
      staticSource: 'yellow pages',
      poolId,
      siteId,
      forwardTo: FORWARD_TO,
      pool: { id: poolId, leaseSeconds: 1800, graceSeconds: 900, cooldownSeconds: 900, exhaustionPolicy: 'overflow' },
      routing: { timeoutSeconds: 30, whisper: null, record: false, recordAnnouncement: null, fallbackTo: null },
    });
  });

  it('when a number belongs to no pool, then its route has nowhere to forward', async () => {
    const row = await store.insert(newNumber(null));

    expect(await store.findRoute(row!.e164)).toMatchObject({ numberId: row!.id, poolId: null, siteId: null, forwardTo: null });
  });

  it('when an unknown number is called, then there is no route', async () => {
    expect(await store.findRoute(fictionalNumber())).toBeNull();
  });

  it("when a number overrides its pool's routing, then its route has the override; an empty override switches the pool's off", async () => {
    const { poolId } = await poolOfNewSite();
    await db.query("UPDATE pools SET whisper = 'Call from {source}', fallback_to = 'voicemail', dial_timeout_seconds = 20 WHERE id = $1", [poolId]);
    const plain = (await store.insert(newNumber(poolId)))!;
    const own = (await store.insert(newNumber(poolId)))!;

    await store.setOverrides(own.id, { whisper: '', record: true, fallbackTo: '+441134960998' });

    expect((await store.findRoute(plain.e164))!.routing).toEqual({ timeoutSeconds: 20, whisper: 'Call from {source}', record: false, recordAnnouncement: null, fallbackTo: 'voicemail' });
    expect((await store.findRoute(own.e164))!.routing).toEqual({ timeoutSeconds: 20, whisper: null, record: true, recordAnnouncement: null, fallbackTo: '+441134960998' });
    expect((await store.setOverrides(own.id, { record: null }))!.overrides).toEqual({ whisper: '', record: null, fallbackTo: '+441134960998' });
  });

  it('when a number is quarantined, then it keeps its route until released, and is due for release only after its date', async () => {
    const { poolId } = await poolOfNewSite();
    const n = (await store.insert(newNumber(poolId, { providerSid: 'PN00000000000000000000000000000001' })))!;
    const at = new Date(Date.UTC(2026, 10, 30));
    const releaseAfter = new Date(at.getTime() + 86_400_000);

    const quarantined = await store.quarantine(n.id, at, releaseAfter);
    const again = await store.quarantine(n.id, new Date(at.getTime() + 5000), new Date(at.getTime() + 999_999_999));

    expect(quarantined).toMatchObject({ status: 'quarantined', quarantinedAt: at, releaseAfter, releasedAt: null });
    expect(again).toMatchObject({ quarantinedAt: at, releaseAfter });
    expect((await store.listRoutes()).find((r) => r.numberId === n.id)).toMatchObject({ status: 'quarantined' });
    expect((await store.listDueForRelease(at, 100)).map((x) => x.id)).not.toContain(n.id);
    expect((await store.listDueForRelease(releaseAfter, 100)).map((x) => x.id)).toContain(n.id);

    await store.markReleased(n.id, releaseAfter);

    expect((await store.listRoutes()).map((r) => r.numberId)).not.toContain(n.id);
    expect(await store.findDetails(n.id)).toMatchObject({ status: 'released', releasedAt: releaseAfter });
    expect((await store.listHeldWith('simulated')).map((x) => x.id)).not.toContain(n.id);
  });
}

describeWithPostgres('SqlNumberStore on Postgres', () => runNumberStoreBasics(createPostgresTestDatabase));
describe('SqlNumberStore on PGlite', () => runNumberStoreBasics(createPgliteTestDatabase));
