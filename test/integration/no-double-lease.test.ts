import { setImmediate as yieldToTraffic } from 'node:timers/promises';
import type Redis from 'ioredis';
import type { PoolSettings } from '../../src/pool/pool-store';
import { poolKeys } from '../../src/pool/redis/pool-keys';
import { RedisPoolStore } from '../../src/pool/redis/redis-pool-store';
import { describeWithServices } from '../support/conditional';
import { createPostgresTestDatabase, type TestDatabase } from '../support/databases';
import { connectTestRedis, deleteKeysWithPrefix, uniquePrefix } from '../support/redis';
import { startServiceProcess, type ServiceProcess } from '../support/service-process';
import { TEST_REDIS_URL } from '../support/test-env';
import { BROWSER_USER_AGENT } from '../support/user-agents';
import { TEST_PERSONAL_DATA_ENV } from '../support/personal-data';

/**
 * Three OS processes of the service share one Postgres database and one Redis key prefix, as three
 * instances behind a load balancer do. Thousands of concurrent visits and heartbeats hit them while
 * this test, as a fourth client of the same pools, shortens live leases so they expire, displaces
 * leases with short ones of its own and takes numbers out and back in. Then the processes are
 * stopped (they flush the lease history on SIGTERM), and the lease history in Postgres must show
 * that no number was ever held by two visits at once and hold exactly the grants callers were told of.
 */

const ADMIN_KEY = 'ctk_admin_no_double_lease_0123456789';
const PROCESSES = 3;
const VISIT_REQUESTS = 3_000;
const HEARTBEAT_REQUESTS = 1_000;
const CONCURRENCY = 50;
const NUMBERS_PER_POOL = 5;
/** The shortest lease the admin API accepts; leases end sooner only through the test's direct calls. */
const LEASE_SECONDS = 60;

interface TrackedPool {
  siteKey: string;
  settings: PoolSettings;
  numberIds: string[];
  numberIdOf: Map<string, string>;
  /** Visits the service issued for this site, to come back with. */
  visits: string[];
  /** Leases visits were shown, to heartbeat (and for the test to shorten). */
  leases: { visitId: string; token: number }[];
}

interface Grant {
  numberId: string;
  token: number;
  visitId: string;
}

/** What the traffic left behind: every grant a caller was told of, and every answer that was wrong. */
interface Run {
  pools: TrackedPool[];
  /** `${numberId}#${token}` -> the grant, from HTTP answers and from the test's direct calls. */
  grants: Map<string, Grant>;
  conflictingAnswers: string[];
  unexpectedAnswers: string[];
}

interface LeaseRow {
  number_id: string;
  token: number;
  visit_id: string;
  started_at: Date;
  renewed_at: Date;
  ended_at: Date | null;
  end_reason: string | null;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];
const randomInt = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));

describeWithServices('when 3 service processes lease from shared pools under concurrent load while leases expire, are displaced and removed', () => {
  let database: TestDatabase & { url: string };
  let redis: Redis;
  const prefix = uniquePrefix('no-double-lease');
  const processes: ServiceProcess[] = [];
  let run: Run;
  let exitCodes: (number | null)[];
  let rows: LeaseRow[];

  beforeAll(async () => {
    database = await createPostgresTestDatabase();
    redis = connectTestRedis();
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      ADMIN_API_KEY: ADMIN_KEY,
      ...TEST_PERSONAL_DATA_ENV,
      TELEPHONY_PROVIDER: 'simulated',
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      LEASE_FLUSH_INTERVAL_MS: '200',
      DEFAULT_LEASE_SECONDS: '30',
      // Thousands of visits from this one loopback address: exempt from the rate limits (test/e2e/rate-limits.test.ts covers them).
      RATE_LIMIT_ALLOWLIST: '127.0.0.0/8',
    };
    // Each one is recorded as soon as it is up, so afterAll can stop it even if another fails to start.
    await Promise.all(Array.from({ length: PROCESSES }, async () => processes.push(await startServiceProcess(env))));
    // Arrange: a site whose pool refuses when exhausted, and one whose pool displaces the stalest lease.
    const pools = [await createTrackedPool(processes[0], 'overflow'), await createTrackedPool(processes[1], 'recycle')];

    // Act: the traffic, then SIGTERM; each process drains its requests and flushes the lease history.
    run = await driveTraffic(processes, pools, new RedisPoolStore(redis, prefix, { consumerName: 'no-double-lease-test' }));
    exitCodes = await Promise.all(processes.map((p) => p.stop()));
    rows = (
      await database.db.query<LeaseRow>('SELECT number_id, token, visit_id, started_at, renewed_at, ended_at, end_reason FROM leases ORDER BY number_id, token')
    ).rows;
  }, 120_000);

  afterAll(async () => {
    for (const p of processes) p.kill();
    if (redis) {
      await deleteKeysWithPrefix(redis, prefix);
      await redis.quit();
    }
    await database?.drop();
  });

  it('then every process exits cleanly and leaves no lease event unpersisted', async () => {
    if (exitCodes.some((code) => code !== 0)) throw new Error(`exit codes ${exitCodes.join(', ')}\n${processes.map((p) => p.output()).join('\n')}`);
    for (const pool of run.pools) expect(await redis.xlen(poolKeys(prefix, pool.settings.poolId).events)).toBe(0);
  });

  it('then every answer is a success (or 409 for a lost lease) and no number and token is ever given to two visits', () => {
    expect(run.unexpectedAnswers).toEqual([]);
    expect(run.conflictingAnswers).toEqual([]);
  });

  it('then Postgres holds exactly the grants callers were told of: none lost, none invented', () => {
    const persisted = new Map(rows.map((r) => [`${r.number_id}#${r.token}`, r.visit_id]));
    expect({
      missingFromPostgres: [...run.grants].filter(([key, grant]) => persisted.get(key) !== grant.visitId).map(([key]) => key),
      neverReported: [...persisted.keys()].filter((key) => !run.grants.has(key)),
    }).toEqual({ missingFromPostgres: [], neverReported: [] });
    expect(rows).toHaveLength(run.grants.size);
  });

  it('then no two leases of a number overlap in time', async () => {
    // [started_at, ended_at) intervals, an open lease lasting forever; a displaced lease ends exactly
    // when its successor starts, an expired one at its expiry, so neither may overlap the next.
    const { rows: overlaps } = await database.db.query<{ number_id: string; a: string; b: string }>(
      `SELECT a.number_id, ${leaseText('a')} AS a, ${leaseText('b')} AS b
       FROM leases a JOIN leases b ON a.number_id = b.number_id AND a.token < b.token
       WHERE a.started_at < COALESCE(b.ended_at, 'infinity') AND b.started_at < COALESCE(a.ended_at, 'infinity')
       ORDER BY a.number_id, a.token, b.token`,
    );
    expect(overlaps).toEqual([]);
  });

  it('then per number the tokens run 1..n, started_at never goes backwards, no lease ends before it starts and only the newest is open', () => {
    expect(sequenceViolations(rows)).toEqual([]);
  });

  it('then the run really expired, displaced and removed leases (a quiet run would prove nothing)', () => {
    const ended = (reason: string) => rows.filter((r) => r.end_reason === reason).length;
    expect(ended('expired')).toBeGreaterThan(50);
    expect(ended('displaced')).toBeGreaterThan(100);
    expect(ended('removed')).toBeGreaterThan(0);
  });
});

/**
 * VISIT_REQUESTS visits (new ones, and returning ones with a visit id the service issued) and
 * HEARTBEAT_REQUESTS heartbeats, CONCURRENCY at a time, spread round-robin over the processes,
 * while the direct calls churn the same pools.
 */
async function driveTraffic(processes: ServiceProcess[], pools: TrackedPool[], store: RedisPoolStore): Promise<Run> {
  const run: Run = { pools, grants: new Map(), conflictingAnswers: [], unexpectedAnswers: [] };
  let trafficDone = false;
  const churn = churnLeasesDirectly(run, store, () => trafficDone);
  const requests = VISIT_REQUESTS + HEARTBEAT_REQUESTS;
  const heartbeatEvery = Math.round(requests / HEARTBEAT_REQUESTS);
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < requests) {
          const index = next++;
          const service = processes[index % PROCESSES];
          if (index % heartbeatEvery === heartbeatEvery - 1) await heartbeat(run, service, pick(pools));
          else await registerVisit(run, service, pick(pools));
        }
      }),
    );
  } finally {
    trafficDone = true;
    await churn;
  }
  return run;
}

function recordGrant(run: Run, grant: Grant, from: string): void {
  const key = `${grant.numberId}#${grant.token}`;
  const earlier = run.grants.get(key);
  if (earlier && earlier.visitId !== grant.visitId) run.conflictingAnswers.push(`${key} given to ${earlier.visitId} and to ${grant.visitId} (${from})`);
  run.grants.set(key, grant);
}

async function registerVisit(run: Run, service: ServiceProcess, pool: TrackedPool): Promise<void> {
  const returning = pool.visits.length > 0 && Math.random() < 0.4 ? pick(pool.visits) : undefined;
  const res = await post(service, `/t/${pool.siteKey}/visits`, { url: 'https://shop.example/', ...(returning ? { visitId: returning } : {}) }, { 'User-Agent': BROWSER_USER_AGENT });
  if (res.status !== 200) return void run.unexpectedAnswers.push(`visit: ${res.status} ${JSON.stringify(res.body)}`);
  const body = res.body as { visitId: string; number: { e164: string } | null; leaseToken: string | null };
  if (returning && body.visitId !== returning) run.unexpectedAnswers.push(`visit ${returning} came back as ${body.visitId}`);
  if (!returning) pool.visits.push(body.visitId);
  if (!body.number) return;
  const numberId = pool.numberIdOf.get(body.number.e164);
  if (!numberId || body.leaseToken === null) return void run.unexpectedAnswers.push(`visit shown ${body.number.e164} with token ${body.leaseToken}, not a number of its pool`);
  const token = Number(body.leaseToken);
  recordGrant(run, { numberId, token, visitId: body.visitId }, `HTTP via ${service.baseUrl}`);
  pool.leases.push({ visitId: body.visitId, token });
}

async function heartbeat(run: Run, service: ServiceProcess, pool: TrackedPool): Promise<void> {
  if (pool.leases.length === 0) return;
  const lease = pick(pool.leases.slice(-100));
  const res = await post(service, `/t/${pool.siteKey}/visits/${lease.visitId}/heartbeat`, { leaseToken: String(lease.token) });
  if (res.status === 409) return;
  if (res.status !== 200) return void run.unexpectedAnswers.push(`heartbeat: ${res.status} ${JSON.stringify(res.body)}`);
  // A renewed lease keeps the number the visit was granted with this token.
  const numberId = pool.numberIdOf.get((res.body as { number: { e164: string } }).number.e164);
  const granted = run.grants.get(`${numberId}#${lease.token}`);
  if (granted?.visitId !== lease.visitId) run.unexpectedAnswers.push(`heartbeat of ${lease.visitId}/${lease.token} renewed ${numberId}, granted to ${granted?.visitId}`);
}

/**
 * The fourth client, on the same Redis prefix and the same clock as the processes: shortens leases
 * the service granted so that they expire within milliseconds, takes short leases of its own
 * (sometimes under 'recycle', displacing the stalest holder, in the overflow pool too), and takes a
 * number out of a pool and puts it back.
 */
async function churnLeasesDirectly(run: Run, store: RedisPoolStore, done: () => boolean): Promise<void> {
  const removed = new Map<TrackedPool, string>();
  let directVisits = 0;
  const shorten = (pool: TrackedPool, lease: { visitId: string; token: number }) =>
    store.heartbeat({ ...pool.settings, leaseMs: randomInt(0, 10) }, lease.visitId, lease.token, Date.now());
  const leaseBriefly = async (pool: TrackedPool) => {
    const visitId = `direct-${(directVisits += 1)}`;
    const exhaustionPolicy = Math.random() < 0.3 ? 'recycle' : pool.settings.exhaustionPolicy;
    const result = await store.lease({ ...pool.settings, leaseMs: randomInt(1, 20), exhaustionPolicy }, visitId, Date.now());
    if (result.outcome === 'granted') recordGrant(run, { numberId: result.lease.numberId, token: result.lease.token, visitId }, 'direct call');
  };
  const removeOrPutBack = async (pool: TrackedPool) => {
    const out = removed.get(pool);
    if (out) {
      await store.addNumbers(pool.settings.poolId, [out]);
      removed.delete(pool);
    } else {
      const numberId = pick(pool.numberIds);
      await store.removeNumbers(pool.settings.poolId, [numberId], Date.now());
      removed.set(pool, numberId);
    }
  };
  // Each round is a handful of calls in parallel (one round trip), so the churn keeps pace with the
  // traffic even on a busy machine.
  while (!done()) {
    await Promise.all(
      run.pools.flatMap((pool) => [
        ...pool.leases.slice(-10).map((lease) => shorten(pool, lease)),
        leaseBriefly(pool),
        ...(Math.random() < 0.05 ? [removeOrPutBack(pool)] : []),
      ]),
    );
    // Let the HTTP traffic in this process move between two rounds.
    await yieldToTraffic();
  }
  for (const [pool, numberId] of removed) await store.addNumbers(pool.settings.poolId, [numberId]);
}

async function post(service: ServiceProcess, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${service.baseUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function adminPost<T>(service: ServiceProcess, path: string, body: unknown): Promise<T> {
  const res = await post(service, path, body, { Authorization: `Bearer ${ADMIN_KEY}` });
  if (res.status !== 201) throw new Error(`POST ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as T;
}

/** A client, a site with tracking on and a pool of NUMBERS_PER_POOL numbers with no cool-down or grace, through the admin API. */
async function createTrackedPool(service: ServiceProcess, exhaustionPolicy: PoolSettings['exhaustionPolicy']): Promise<TrackedPool> {
  const client = await adminPost<{ id: string }>(service, '/v1/clients', { name: `Load ${exhaustionPolicy}` });
  const site = await adminPost<{ id: string; siteKey: string }>(service, '/v1/sites', {
    clientId: client.id,
    name: `Site ${exhaustionPolicy}`,
    domains: ['shop.example'],
    trackingEnabled: true,
  });
  const pool = await adminPost<{ id: string }>(service, '/v1/pools', {
    siteId: site.id,
    name: 'Main',
    forwardTo: '+441134960999',
    leaseSeconds: LEASE_SECONDS,
    graceSeconds: 0,
    cooldownSeconds: 0,
    exhaustionPolicy,
  });
  const provisioned = await adminPost<{ numbers: { id: string; e164: string }[] }>(service, `/v1/pools/${pool.id}/numbers`, { count: NUMBERS_PER_POOL, country: 'GB' });
  return {
    siteKey: site.siteKey,
    settings: { poolId: pool.id, leaseMs: LEASE_SECONDS * 1000, cooldownMs: 0, graceMs: 0, exhaustionPolicy },
    numberIds: provisioned.numbers.map((n) => n.id),
    numberIdOf: new Map(provisioned.numbers.map((n) => [n.e164, n.id])),
    visits: [],
    leases: [],
  };
}

/** A lease row as one readable line, computed in SQL, for failure messages. */
function leaseText(alias: string): string {
  const at = (column: string) => `to_char(${alias}.${column} AT TIME ZONE 'UTC', 'HH24:MI:SS.MS')`;
  return `format('token %s (%s) %s renewed %s .. %s %s', ${alias}.token, ${alias}.visit_id, ${at('started_at')}, ${at('renewed_at')}, COALESCE(${at('ended_at')}, 'open'), ${alias}.end_reason)`;
}

/**
 * Everything wrong with each number's leases in token order (the order the pool store granted them
 * in), as readable lines. A lease script that ran with an older `now` than the grant before it shows
 * up here as a lease that ends before it starts, followed by one that starts earlier.
 */
function sequenceViolations(rows: readonly LeaseRow[]): string[] {
  const problems: string[] = [];
  const byNumber = new Map<string, LeaseRow[]>();
  for (const row of rows) byNumber.set(row.number_id, [...(byNumber.get(row.number_id) ?? []), row]);
  const show = (r: LeaseRow) => `token ${r.token} (${r.visit_id}) ${r.started_at.toISOString()} .. ${r.ended_at?.toISOString() ?? 'open'} ${r.end_reason ?? ''}`.trim();
  for (const [numberId, leases] of byNumber) {
    leases.forEach((lease, i) => {
      if (lease.token !== i + 1) problems.push(`${numberId}: expected token ${i + 1}, found ${show(lease)}`);
      if (lease.ended_at && lease.ended_at < lease.started_at) problems.push(`${numberId}: ends before it starts: ${show(lease)}`);
      const following = leases[i + 1];
      if (!following) return;
      if (!lease.ended_at) problems.push(`${numberId}: still open although a later lease exists: ${show(lease)} then ${show(following)}`);
      else if (lease.ended_at > following.started_at) problems.push(`${numberId}: ends after its successor starts: ${show(lease)} then ${show(following)}`);
      if (following.started_at < lease.started_at) problems.push(`${numberId}: started_at goes backwards: ${show(lease)} then ${show(following)}`);
      if (lease.end_reason === 'displaced' && lease.ended_at?.getTime() !== following.started_at.getTime()) {
        problems.push(`${numberId}: displaced, but not when its successor started: ${show(lease)} then ${show(following)}`);
      }
    });
  }
  return problems;
}
