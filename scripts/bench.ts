/**
 * Load benchmark of the hot paths against real Redis and Postgres, measured against a bare Express
 * route in the same run. docs/performance.md explains the method and keeps the latest results.
 *
 *   npm run bench -- [--duration 8] [--rounds 3] [--connections 50] [--warmup 2] [--memory-leases 5000]
 *                    [--database-url URL | --postgres-url URL] [--redis-url URL] [--cpu-prof DIR]
 *                    [--scenarios lease,heartbeat,voice,leaseSmall]
 *
 * The service and the bare route each run in a child process; autocannon drives them from this one,
 * over loopback only, for a bounded time. Rounds alternate the scenarios and the table reports the
 * median round. The run cleans up after itself, also on Ctrl-C: its own database (dropped) and its own
 * Redis keys (a unique prefix, deleted key by key). It exits 0 when a target is missed: it is a
 * report, and it prints a verdict per target.
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { readOptions, type BenchOptions } from './bench/options';
import type { ChildServer } from './bench/processes';
import { startBare, startService } from './bench/servers';
import { Cleanup } from './bench/cleanup';
import { loadLine, machineFacts } from './bench/machine';
import { createPrivateDatabase, deleteKeysWithPrefix, existingDatabase, uniqueRedisPrefix, withClient } from './bench/resources';
import { AdminApi, NumberRanges, createClient, createPool, leaseVisits, poolStats, type BenchPool } from './bench/arrange';
import { bareScenario, heartbeatScenario, leaseScenario, voiceScenario, type Scenario, type ScenarioKey } from './bench/scenarios';
import { runLoad, stopLoad, type LoadResult } from './bench/load';
import { cpuPerRequest, cpuSnapshot } from './bench/cpu';
import { leaseMemory, poolKeyMemory, usedMemory, waitForDrainedEvents, type LeaseMemory } from './bench/redis-memory';
import { memoryLines, pf, poolSizeLine, resultsTable, roundsTable, summarise, type Verdict } from './bench/report';

const BIG_POOL = 10_000;
const SMALL_POOL = 10;
const HEARTBEAT_VISITS = 1000;
/** How many of the held numbers the voice scenario calls. */
const CALLED_NUMBERS = 200;

const log = (line = '') => console.log(line);

interface Setup {
  db: { url: string; name: string };
  redis: Redis;
  prefix: string;
  service: ChildServer;
  bare: ChildServer;
  adminKey: string;
  authToken: string;
}

/** A private database and Redis prefix, the service and the bare route; each registers its own undo. */
async function setUp(o: BenchOptions, cleanup: Cleanup): Promise<Setup> {
  const db = o.databaseUrl ? existingDatabase(o.databaseUrl) : await createPrivateDatabase(o.postgresUrl);
  cleanup.add('drop the bench database', () => db.drop());
  const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: 1 });
  cleanup.add('close Redis', () => redis.quit());
  const prefix = uniqueRedisPrefix();
  cleanup.add('delete the bench Redis keys', async () => log(`cleanup: deleted ${await deleteKeysWithPrefix(redis, prefix)} Redis keys under ${prefix}`));
  const name = new URL(db.url).pathname.slice(1);
  log(`database: ${db.private ? `private ${name} (dropped at the end)` : `${name} from DATABASE_URL (kept)`}; Redis key prefix ${prefix}`);
  for (const line of await machineFacts(redis, db.url)) log(line);

  const adminKey = `ctk_bench_${randomBytes(24).toString('base64url')}`;
  const authToken = randomBytes(16).toString('hex');
  const service = await startService({ databaseUrl: db.url, redisUrl: o.redisUrl, redisKeyPrefix: prefix, adminApiKey: adminKey, twilioAuthToken: authToken, cpuProfDir: o.cpuProfDir });
  cleanup.add('stop the service', () => service.stop());
  const bare = await startBare();
  cleanup.add('stop the bare route', () => bare.stop());
  log(`service pid ${service.pid} at ${service.baseUrl}; bare route pid ${bare.pid} at ${bare.baseUrl}`);
  return { db: { url: db.url, name }, redis, prefix, service, bare, adminKey, authToken };
}

interface World {
  api: AdminApi;
  /** Both lease pools recycle, so leases keep doing real work once every number is out. */
  big: BenchPool;
  small: BenchPool;
  /** Heartbeats and calls use their own pool, where no new visit displaces the visits they rely on. */
  steady: BenchPool;
}

async function arrange(s: Setup): Promise<World> {
  const started = Date.now();
  const api = new AdminApi(s.service.baseUrl, s.adminKey);
  const ranges = new NumberRanges();
  const clientId = await createClient(api);
  const big = await createPool(api, ranges, { clientId, label: 'big', size: BIG_POOL, exhaustionPolicy: 'recycle' });
  const small = await createPool(api, ranges, { clientId, label: 'small', size: SMALL_POOL, exhaustionPolicy: 'recycle' });
  const steady = await createPool(api, ranges, { clientId, label: 'steady', size: HEARTBEAT_VISITS, exhaustionPolicy: 'overflow' });
  log(`arranged 3 pools (${BIG_POOL + SMALL_POOL + HEARTBEAT_VISITS} numbers) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { api, big, small, steady };
}

/** New leases into a pool none of whose numbers was leased yet, measured once their events reached Postgres. */
async function measureLeaseMemory(s: Setup, pool: BenchPool, leases: number): Promise<LeaseMemory> {
  await waitForDrainedEvents(s.redis, s.prefix, [pool.poolId]);
  const before = await poolKeyMemory(s.redis, s.prefix, pool.poolId);
  const usedBefore = await usedMemory(s.redis);
  await leaseVisits(s.service.baseUrl, pool.siteKey, leases);
  const drained = await waitForDrainedEvents(s.redis, s.prefix, [pool.poolId]);
  const after = await poolKeyMemory(s.redis, s.prefix, pool.poolId);
  return leaseMemory(leases, before, after, usedBefore, await usedMemory(s.redis), drained);
}

/** Sends one request exactly as autocannon would build it, so a broken scenario fails before it is timed. */
async function smokeTest(sc: Scenario): Promise<void> {
  const base = { ...sc.request, headers: { ...sc.request.headers } };
  const req = typeof sc.request.setupRequest === 'function' ? sc.request.setupRequest(base, {}) : base;
  const res = await fetch(`${sc.baseUrl}${req.path}`, { method: req.method, headers: req.headers as Record<string, string>, body: req.body as string });
  const body = await res.text();
  // A new visit must be leased a number (not, say, be taken for a bot), a call must be forwarded.
  const expected: Partial<Record<ScenarioKey, RegExp>> = { lease: /"leaseToken":"\d+"/, leaseSmall: /"leaseToken":"\d+"/, heartbeat: /"leaseExpiresAt"/, voice: /<Dial/ };
  const ok = res.ok && (expected[sc.key]?.test(body) ?? true);
  if (!ok) throw new Error(`${sc.title}: the first request was answered ${res.status}: ${body.slice(0, 500)}`);
}

/** Warm-up, then rounds alternating every scenario; CPU per request is measured around each run. */
async function runRounds(o: BenchOptions, s: Setup, w: World, scenarios: Scenario[]): Promise<{ results: Map<ScenarioKey, LoadResult[]>; sent: Map<ScenarioKey, number> }> {
  const sent = new Map<ScenarioKey, number>(scenarios.map((sc) => [sc.key, 1])); // the smoke test's request
  const count = (key: ScenarioKey, r: LoadResult) => sent.set(key, (sent.get(key) ?? 0) + r.sent);
  // Lease history moves to Postgres in the background; let it finish before the next scenario is
  // timed, and count its CPU with the run that caused it.
  const settle = async () => {
    if (!(await waitForDrainedEvents(s.redis, s.prefix, [w.big.poolId, w.small.poolId, w.steady.poolId]))) log('  (the lease history writer is still behind after 30 s)');
  };
  for (const sc of scenarios) {
    count(sc.key, await runLoad(sc, { connections: o.connections, durationSeconds: o.warmupSeconds }));
    await settle();
  }

  const results = new Map<ScenarioKey, LoadResult[]>(scenarios.map((sc) => [sc.key, []]));
  const pids = { service: s.service.pid, bare: s.bare.pid };
  // CPU profiles time their samples on the same monotonic clock: this window cuts out the setup.
  const windowStart = process.hrtime.bigint() / 1000n;
  for (let round = 1; round <= o.rounds; round++) {
    for (const sc of scenarios) {
      const before = await cpuSnapshot(s.redis, pids, s.db.name);
      const r = await runLoad(sc, { connections: o.connections, durationSeconds: o.durationSeconds });
      await settle();
      const c = cpuPerRequest(before, await cpuSnapshot(s.redis, pids, s.db.name), r.sent);
      r.cpuUs = c;
      results.get(sc.key)?.push(r);
      count(sc.key, r);
      const cpu = sc.key === 'bare' ? `bare ${c.bare.toFixed(0)}` : `service ${c.service.toFixed(0)}, Redis ${c.redis.toFixed(0)}, PG ${c.postgres.toFixed(0)}`;
      log(`round ${round} ${sc.title.padEnd(32)} ${r.reqPerSec.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  non-2xx ${r.non2xx}  errors ${r.errors}  CPU us/req: ${cpu}, autocannon ${c.loadGenerator.toFixed(0)}`);
    }
  }
  if (o.cpuProfDir) {
    const windowEnd = process.hrtime.bigint() / 1000n;
    log(`profile of the measured rounds: node dist/scripts/bench/profile-summary.js ${o.cpuProfDir}/CPU.*.cpuprofile ${windowStart} ${windowEnd}`);
  }
  return { results, sent };
}

async function report(o: BenchOptions, s: Setup, w: World, scenarios: Scenario[], run: Awaited<ReturnType<typeof runRounds>>, memory: LeaseMemory): Promise<void> {
  const summaries = scenarios.map((sc) => summarise(sc.key, sc.title, run.results.get(sc.key) ?? []));
  const byKey = (k: ScenarioKey) => summaries.find((sm) => sm.key === k);
  const { table, verdicts } = resultsTable(summaries[0], summaries.slice(1));
  const [bigLease, smallLease] = [byKey('lease'), byKey('leaseSmall')];
  const poolSize = bigLease && smallLease ? poolSizeLine(bigLease, smallLease) : undefined;
  const mem = memoryLines(memory);
  const all: Verdict[] = [...verdicts, ...(poolSize ? [poolSize.verdict] : []), mem.verdict];

  log();
  log(`## Results (median of ${o.rounds} rounds, ${o.durationSeconds} s each, ${o.connections} connections)`);
  log();
  log(table);
  log();
  if (poolSize) log(poolSize.line);
  for (const line of mem.lines) log(line);
  const leasePools = [
    { pool: w.big, key: 'lease' as const, before: BIG_POOL },
    { pool: w.small, key: 'leaseSmall' as const, before: 0 },
  ];
  for (const { pool, key, before } of leasePools.filter((p) => run.results.has(p.key))) {
    // Recycling pools never free a number without handing it on at once, and no lease expires during
    // a run, so every number granted from the free set is still leased: leased + recycled = leases made.
    const st = await poolStats(w.api, pool.poolId);
    const asked = before + (run.sent.get(key) ?? 0);
    const unleased = asked - st.leased - st.exhaustedCount;
    const pass = unleased <= asked * 0.01;
    log(`pool of ${pool.size.toLocaleString('en')}: ${asked} lease requests: ${st.leased} granted a free number, ${st.exhaustedCount} recycled the oldest lease, ${unleased} got none: ${pf(pass)}`);
    all.push({ name: `every new visit leased a number (pool of ${pool.size})`, pass });
  }
  if (run.results.has('voice')) {
    const calls = await withClient(s.db.url, async (c) => (await c.query<{ attribution: string; n: string }>('SELECT attribution, count(*) AS n FROM calls GROUP BY attribution ORDER BY 2 DESC')).rows);
    log(`voice webhook: calls recorded, by attribution: ${calls.map((c) => `${c.attribution} ${c.n}`).join(', ') || 'none'}`);
  }
  log();
  log('## Every round');
  log();
  log(roundsTable(summaries));
  log();
  const failed = all.filter((v) => !v.pass);
  log(failed.length ? `TARGETS MISSED (${failed.length} of ${all.length}): ${failed.map((v) => v.name).join('; ')}` : `ALL ${all.length} TARGETS MET`);
  log(loadLine('at the end (this run included)', false));
}

async function bench(o: BenchOptions, cleanup: Cleanup): Promise<void> {
  const started = Date.now();
  log(`bench: ${o.rounds} rounds x ${o.durationSeconds} s per scenario, ${o.connections} connections, ${o.warmupSeconds} s warm-up`);
  const s = await setUp(o, cleanup);
  const w = await arrange(s);
  const memory = await measureLeaseMemory(s, w.big, o.memoryLeases);
  // Lease out the rest of the big pool, so the measured leases on both pools take the same path
  // (recycling the oldest lease), and the comparison isolates the pool's size. This also pays the
  // one-off cost of each number's first lease (its E.164 is looked up in Postgres once per process).
  await leaseVisits(s.service.baseUrl, w.big.siteKey, BIG_POOL - o.memoryLeases);
  const held = await leaseVisits(s.service.baseUrl, w.steady.siteKey, HEARTBEAT_VISITS);

  const build: Record<ScenarioKey, () => Scenario> = {
    bare: () => bareScenario(s.bare.baseUrl),
    lease: () => leaseScenario(s.service.baseUrl, w.big, 'lease'),
    heartbeat: () => heartbeatScenario(s.service.baseUrl, w.steady, held),
    voice: () => voiceScenario(s.service.baseUrl, s.authToken, held.slice(0, CALLED_NUMBERS)),
    leaseSmall: () => leaseScenario(s.service.baseUrl, w.small, 'leaseSmall'),
  };
  const scenarios = (['bare', ...o.scenarios] as ScenarioKey[]).map((key) => build[key]());
  for (const sc of scenarios) await smokeTest(sc);

  const run = await runRounds(o, s, w, scenarios);
  await report(o, s, w, scenarios, run, memory);
  log(`bench took ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function main(): Promise<void> {
  const options = readOptions();
  const cleanup = new Cleanup();
  const interrupt = (signal: string) => {
    console.error(`\n${signal}: stopping the load and the child processes, removing the bench data`);
    stopLoad();
    void cleanup.run().finally(() => process.exit(130));
  };
  process.once('SIGINT', () => interrupt('SIGINT'));
  process.once('SIGTERM', () => interrupt('SIGTERM'));
  try {
    await bench(options, cleanup);
  } finally {
    await cleanup.run();
  }
}

main().catch((err) => {
  console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
