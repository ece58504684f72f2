import { randomBytes, randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { LeaseHistoryWriter } from '../../src/pool/lease-history-writer';
import { poolSettings, SqlPoolConfigStore } from '../../src/pool/pool-config-store';
import { RedisPoolStore } from '../../src/pool/redis/redis-pool-store';
import { poolKeys } from '../../src/pool/redis/pool-keys';
import { PoolHealthSampler } from '../../src/pool/health/pool-health-sampler';
import { PoolHealthService, type PoolHealthReport } from '../../src/pool/health/pool-health-service';
import { SqlPoolHealthStore } from '../../src/pool/health/pool-health-store';
import { describeWithServices } from '../support/conditional';
import { createPostgresTestDatabase, type TestDatabase } from '../support/databases';
import { connectTestRedis, deleteKeysWithPrefix, uniquePrefix } from '../support/redis';
import { seedPool, seedSite } from '../support/sql-seed';

/**
 * Pool health on this machine's Postgres and Redis: the sampling job reads a real RedisPoolStore (under
 * a key prefix of this file's own), the lease history of its grants reaches Postgres through the real
 * writer, and further leases and calls are written with SQL at chosen moments. Every figure of the
 * report is then worked out here by hand from what was arranged, with an Erlang B recursion of the
 * test's own.
 */

const MINUTE = 60_000;
const at = (time: string, day = '2026-11-30') => Date.parse(`${day}T${time}:00Z`);
const WINDOW = { from: at('12:00', '2026-11-29'), to: at('12:00') };
const NOW = at('11:59');
const COOLDOWN_SECONDS = 900;

/** Erlang B by its textbook recursion, and the smallest pool meeting a target: independent of src/. */
function blocking(numbers: number, erlangs: number): number {
  let b = 1;
  for (let n = 1; n <= numbers; n++) b = (erlangs * b) / (n + erlangs * b);
  return b;
}
function numbersFor(erlangs: number, target: number): number {
  let n = 0;
  while (blocking(n, erlangs) > target) n += 1;
  return n;
}

describeWithServices('pool health on a real Postgres and Redis', () => {
  let database: TestDatabase;
  let redis: Redis;
  const prefix = uniquePrefix('pool-health');
  let poolStore: RedisPoolStore;
  let health: PoolHealthService;
  let poolId: string;
  let clientId: string;
  let trimmed: number;
  let report: PoolHealthReport;

  const sql = (text: string, params: unknown[] = []) => database.db.query(text, params);

  /** A lease of the history table, `minutes` long (null: not ended). */
  async function seedLease(pool: string, startedAt: number, minutes: number | null): Promise<void> {
    const endedAt = minutes === null ? null : new Date(startedAt + minutes * MINUTE);
    await sql(
      `INSERT INTO leases (pool_id, number_id, token, visit_id, started_at, renewed_at, ended_at, end_reason)
       VALUES ($1, $2, 1, $3, $4, $4, $5, $6)`,
      [pool, randomUUID(), `v_${randomBytes(6).toString('hex')}`, new Date(startedAt), endedAt, endedAt ? 'expired' : null],
    );
  }

  async function seedCall(siteId: string, pool: string, startedAt: number, attribution: string, restricted = false): Promise<void> {
    await sql(
      `INSERT INTO calls (call_sid, site_id, pool_id, status, status_rank, started_at, attribution, restricted)
       VALUES ($1, $2, $3, 'completed', 5, $4, $5, $6)`,
      [`CA${randomBytes(16).toString('hex')}`, siteId, pool, new Date(startedAt), attribution, restricted],
    );
  }

  beforeAll(async () => {
    database = await createPostgresTestDatabase();
    redis = connectTestRedis();
    poolStore = new RedisPoolStore(redis, prefix);
    const siteId = await seedSite(database.db);
    clientId = (await sql('SELECT client_id FROM sites WHERE id = $1', [siteId])).rows[0].client_id as string;
    // Leases of four hours, so the numbers leased at 09:40 are still held at the end.
    const created = await sql(
      `INSERT INTO pools (site_id, name, forward_to, lease_seconds, grace_seconds, cooldown_seconds)
       VALUES ($1, 'Health', '+441134960999', 14400, 900, $2) RETURNING id`,
      [siteId, COOLDOWN_SECONDS],
    );
    poolId = created.rows[0].id as string;
    const otherPoolId = await seedPool(database.db, siteId, '+441134960998');

    const pools = new SqlPoolConfigStore(database.db);
    const store = new SqlPoolHealthStore(database.db);
    const sampler = new PoolHealthSampler(pools, poolStore, store);
    health = new PoolHealthService(pools, store, poolStore);
    const settings = poolSettings((await pools.findById(poolId))!);
    await poolStore.addNumbers(poolId, [randomUUID(), randomUUID(), randomUUID()]);

    // Redis: a baseline sample, 6 visits for 3 numbers (3 granted, 3 exhausted), then Redis loses the
    // exhaustion counter and 2 more visits find the pool full: the counter restarts at 2.
    await sampler.run(at('09:00'));
    for (let i = 0; i < 6; i++) await poolStore.lease(settings, `visit-a${i}`, at('09:40'));
    await sampler.run(at('09:41'));
    await redis.del(poolKeys(prefix, poolId).exhausted);
    for (let i = 0; i < 2; i++) await poolStore.lease(settings, `visit-b${i}`, at('11:00'));
    await sampler.run(at('11:01'));
    // The 3 grants of 09:40 reach the lease history as the service's writer puts them there.
    await new LeaseHistoryWriter(database.db, pools, poolStore, 1000).flush();

    // Hour 09: six leases of 10, 20 ... 60 minutes. Hour 03: two of 20 and 40. One still held since
    // 11:50. One granted before the window (29th, 11:00) and ended inside it after 90 minutes.
    for (let i = 0; i < 6; i++) await seedLease(poolId, at(`09:${String(5 + 5 * i).padStart(2, '0')}`), 10 * (i + 1));
    await seedLease(poolId, at('03:00'), 20);
    await seedLease(poolId, at('03:30'), 40);
    await seedLease(poolId, at('11:50'), null);
    await seedLease(poolId, at('11:00', '2026-11-29'), 90);
    // Another pool's leases count for that pool only.
    for (let i = 0; i < 20; i++) await seedLease(otherPoolId, at('09:30'), 5);

    // Calls: 3 lease, 1 grace, 2 ambiguous, 1 none in the window; a restricted one, one before the
    // window and one of the other pool are left out.
    for (const attribution of ['lease', 'lease', 'lease', 'grace', 'ambiguous', 'ambiguous', 'none']) await seedCall(siteId, poolId, at('10:30'), attribution);
    await seedCall(siteId, poolId, at('10:31'), 'ambiguous', true);
    await seedCall(siteId, poolId, at('10:00', '2026-11-28'), 'ambiguous');
    await seedCall(siteId, otherPoolId, at('10:30'), 'ambiguous');

    // A sample from 41 days ago, past keeping: the last run trims it.
    await sql(`INSERT INTO pool_health_samples VALUES ($1, $2, 3, 0, 3, 0, 0)`, [poolId, new Date(NOW - 41 * 24 * 60 * MINUTE)]);
    trimmed = (await sampler.run(NOW)).trimmed;
    report = await health.report(poolId, WINDOW, NOW);
  });

  afterAll(async () => {
    await poolStore?.close();
    if (redis) {
      await deleteKeysWithPrefix(redis, prefix);
      redis.disconnect();
    }
    await database?.drop();
  });

  it('when the job ran, then each run left one sample of the live counts and the sample past 35 days is gone', async () => {
    expect(trimmed).toBe(1);
    const rows = await sql('SELECT sampled_at, total, leased, exhausted_total::int AS exhausted FROM pool_health_samples WHERE pool_id = $1 ORDER BY sampled_at', [poolId]);
    expect(rows.rows.map((r) => [(r.sampled_at as Date).toISOString(), r.total, r.leased, r.exhausted])).toEqual([
      ['2026-11-30T09:00:00.000Z', 3, 0, 0],
      ['2026-11-30T09:41:00.000Z', 3, 3, 3],
      ['2026-11-30T11:01:00.000Z', 3, 3, 2],
      ['2026-11-30T11:59:00.000Z', 3, 3, 2],
    ]);
  });

  it('when the report is read, then live comes from Redis and utilisation from the samples', () => {
    expect(report.live).toEqual({ total: 3, leased: 3, available: 0, coolingDown: 0, utilisation: 1 });
    expect(report.utilisation.map((p) => [new Date(p.at).toISOString().slice(11, 16), p.utilisation])).toEqual([
      ['09:00', 0],
      ['09:41', 1],
      ['11:01', 1],
      ['11:59', 1],
    ]);
  });

  it('when Redis lost the exhaustion counter, then the requests after it still count (3, then 2 from 0)', () => {
    expect(report.exhaustion).toEqual({ total: 5, events: [{ at: at('09:41'), count: 3 }, { at: at('11:01'), count: 2 }] });
  });

  it('when calls were credited, then the mix counts the pool\'s unrestricted calls of the window', () => {
    expect(report.attribution).toEqual({
      calls: 7,
      ambiguous: 2,
      ambiguousShare: 2 / 7,
      byMethod: { lease: 3, grace: 1, ambiguous: 2, static: 0, none: 1, 'released-number': 0 },
    });
  });

  it('when the pool is sized, then arrivals, holding time and the Erlang B answer are the ones worked out by hand', () => {
    // Requests: hour 09 = 6 seeded + 3 granted in Redis + 3 exhausted = 12; hour 03 = 2; hour 11 = 1 + 2 exhausted.
    const peak = 12;
    const arrivals = peak + 2 + 3;
    // Ended in the window: 10+20+...+60 = 210, 20 + 40, and 90 minutes, over 9 leases = 40 min; plus 15 min of cool-down.
    const holdingMinutes = (210 + 60 + 90) / 9 + COOLDOWN_SECONDS / 60;
    const erlangs = (peak * holdingMinutes) / 60;
    const recommended = numbersFor(erlangs, 0.01);

    expect(holdingMinutes).toBe(55);
    expect(recommended).toBe(19); // the published table: 18 numbers carry 10.44 Erlangs at 1 %, 19 carry 11.23
    expect(report.sizing).toEqual({
      arrivalsPerHour: arrivals / 24,
      peakArrivalsPerHour: peak,
      peakHourStart: at('09:00'),
      meanHoldingSeconds: holdingMinutes * 60,
      holdingBasis: 'ended-leases',
      offeredErlangs: expect.closeTo(erlangs, 10),
      currentSize: 3,
      blockingProbability: expect.closeTo(blocking(3, erlangs), 12),
      targetBlocking: 0.01,
      recommendedSize: recommended,
      advice: `Add ${recommended - 3} numbers to keep blocking under 1%.`,
    });
  });

  it('when the client aims at 5 % blocking, then its target sizes the pool; a target in the request overrides it', async () => {
    await sql('UPDATE clients SET pool_blocking_target = 0.05 WHERE id = $1', [clientId]);
    const erlangs = (12 * 55) / 60;

    const clients = await health.report(poolId, WINDOW, NOW);
    const asked = await health.report(poolId, WINDOW, NOW, 0.001);

    expect(clients.sizing).toMatchObject({ targetBlocking: 0.05, recommendedSize: numbersFor(erlangs, 0.05) });
    expect(asked.sizing).toMatchObject({ targetBlocking: 0.001, recommendedSize: numbersFor(erlangs, 0.001) });
    expect(numbersFor(erlangs, 0.001)).toBeGreaterThan(numbersFor(erlangs, 0.05));
  });
});
