/**
 * Load benchmark of the hot paths against real Redis and Postgres, measured against a bare Express
 * route in the same run (docs/performance.md explains the method and keeps the latest results).
 *
 *   npm run bench -- [--duration 8] [--rounds 3] [--connections 50] [--warmup 2] [--memory-leases 5000]
 *                    [--database-url URL | --postgres-url URL] [--redis-url URL] [--cpu-prof DIR]
 *
 * The service and the bare route each run in a child process; autocannon drives them from this one,
 * over loopback only, for a bounded time. Rounds alternate the scenarios and the table reports the
 * median round. The run cleans up after itself: its own database (dropped) and its own Redis keys
 * (a unique prefix, deleted key by key), also on Ctrl-C. It exits 0 when a target is missed: it is
 * a report, and the verdicts are printed.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { readOptions, type BenchOptions } from './bench/options';
import { freePort, startChild, type ChildServer } from './bench/processes';
import { createPrivateDatabase, deleteKeysWithPrefix, existingDatabase, uniqueRedisPrefix, withClient } from './bench/resources';
import { AdminApi, NumberRanges, createClient, createPool, leaseVisits, poolStats, type BenchPool } from './bench/arrange';
import { bareScenario, heartbeatScenario, leaseScenario, voiceScenario, type Scenario, type ScenarioKey } from './bench/scenarios';
import { runLoad, stopLoad, type LoadResult } from './bench/load';
import { leaseMemory, poolKeyMemory, usedMemory, waitForDrainedEvents, type LeaseMemory } from './bench/redis-memory';
import { memoryLines, poolSizeLine, resultsTable, roundsTable, summarise, type Verdict } from './bench/report';

const BIG_POOL = 10_000;
const SMALL_POOL = 10;
const HEARTBEAT_VISITS = 1000;
/** Distinct callers' numbers the voice scenario calls (each held by a heartbeat visit). */
const CALLED_NUMBERS = 200;

const distDir = path.resolve(__dirname, '..');
const log = (line = '') => console.log(line);

/** Undo steps, run newest first and once, whether the run ends, fails or is interrupted. */
class Cleanup {
  private readonly steps: { name: string; run: () => Promise<unknown> }[] = [];
  private done?: Promise<void>;

  add(name: string, run: () => Promise<unknown>): void {
    this.steps.push({ name, run });
  }

  run(): Promise<void> {
    this.done ??= (async () => {
      for (const step of [...this.steps].reverse()) {
        await step.run().catch((err) => console.error(`cleanup: ${step.name} failed: ${(err as Error).message}`));
      }
    })();
    return this.done;
  }
}

async function startService(o: BenchOptions, env: Record<string, string>): Promise<ChildServer> {
  const nodeArgs = o.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(o.cpuProfDir)] : [];
  return startChild({
    name: 'service',
    script: path.join(distDir, 'src/server.js'),
    nodeArgs,
    env,
    port: Number(env.PORT),
    isReady: async (base) => (await fetch(`${base}/readyz`)).ok,
  });
}

async function startBare(): Promise<ChildServer> {
  const port = await freePort();
  return startChild({
    name: 'bare Express route',
    script: path.join(distDir, 'scripts/bench/bare-server.js'),
    args: [String(port)],
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' },
    port,
    // Any HTTP answer means it listens (GET /bare is a 404).
    isReady: async (base) => (await fetch(`${base}/bare`)).status > 0,
  });
}

/** Sends one request exactly as autocannon would build it, so a broken scenario fails before it is timed. */
async function smokeTest(s: Scenario, check: (status: number, body: string) => boolean): Promise<void> {
  const base = { ...s.request, headers: { ...s.request.headers } };
  const req = typeof s.request.setupRequest === 'function' ? s.request.setupRequest(base, {}) : base;
  const res = await fetch(`${s.baseUrl}${req.path}`, { method: req.method, headers: req.headers as Record<string, string>, body: req.body as string });
  const body = await res.text();
  if (!check(res.status, body)) throw new Error(`${s.title}: the first request was answered ${res.status}: ${body.slice(0, 500)}`);
}

async function measureLeaseMemory(redis: Redis, prefix: string, service: ChildServer, pool: BenchPool, leases: number): Promise<LeaseMemory> {
  await waitForDrainedEvents(redis, prefix, [pool.poolId]);
  const before = await poolKeyMemory(redis, prefix, pool.poolId);
  const usedBefore = await usedMemory(redis);
  await leaseVisits(service.baseUrl, pool.siteKey, leases);
  const drained = await waitForDrainedEvents(redis, prefix, [pool.poolId]);
  const after = await poolKeyMemory(redis, prefix, pool.poolId);
  return leaseMemory(leases, before, after, usedBefore, await usedMemory(redis), drained);
}

async function machineFacts(redis: Redis, databaseUrl: string): Promise<string[]> {
  const redisVersion = /^redis_version:(\S+)/m.exec(await redis.info('server'))?.[1];
  const pgVersion = await withClient(databaseUrl, async (c) => (await c.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version);
  return [
    `machine: ${os.cpus().length} cores (nproc), ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    `node ${process.version}, Redis ${redisVersion}, PostgreSQL ${pgVersion}`,
  ];
}

async function bench(o: BenchOptions, cleanup: Cleanup): Promise<void> {
  const started = Date.now();
  log(`bench: ${o.rounds} rounds x ${o.durationSeconds} s per scenario, ${o.connections} connections, ${o.warmupSeconds} s warm-up`);

  const db = o.databaseUrl ? existingDatabase(o.databaseUrl) : await createPrivateDatabase(o.postgresUrl);
  cleanup.add('drop the bench database', () => db.drop());
  const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: 1 });
  cleanup.add('close Redis', () => redis.quit());
  const prefix = uniqueRedisPrefix();
  cleanup.add('delete the bench Redis keys', async () => log(`cleanup: deleted ${await deleteKeysWithPrefix(redis, prefix)} Redis keys under ${prefix}`));
  log(`database: ${db.private ? `private ${new URL(db.url).pathname.slice(1)} (dropped at the end)` : 'given by DATABASE_URL (kept)'}; Redis key prefix ${prefix}`);
  for (const line of await machineFacts(redis, db.url)) log(line);

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const adminKey = `ctk_bench_${randomBytes(24).toString('base64url')}`;
  const authToken = randomBytes(16).toString('hex');
  const service = await startService(o, {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_BASE_URL: baseUrl,
    DATABASE_URL: db.url,
    REDIS_URL: o.redisUrl,
    REDIS_KEY_PREFIX: prefix,
    ADMIN_API_KEY: adminKey,
    TWILIO_AUTH_TOKEN: authToken,
    TELEPHONY_PROVIDER: 'simulated',
    LOG_LEVEL: 'error',
    SEED_DEMO: 'false',
    // For the rate limiter planned with an allowlist; ignored until then.
    RATE_LIMIT_ALLOWLIST: '127.0.0.1/8',
  });
  cleanup.add('stop the service', () => service.stop());
  const bare = await startBare();
  cleanup.add('stop the bare route', () => bare.stop());
  log(`service pid ${service.pid} at ${service.baseUrl}; bare route pid ${bare.pid} at ${bare.baseUrl}`);

  const t0 = Date.now();
  const api = new AdminApi(service.baseUrl, adminKey);
  const ranges = new NumberRanges();
  const clientId = await createClient(api);
  // Both lease pools recycle, so leases keep doing real work once every number is out.
  const big = await createPool(api, ranges, { clientId, label: 'big', size: BIG_POOL, exhaustionPolicy: 'recycle' });
  const small = await createPool(api, ranges, { clientId, label: 'small', size: SMALL_POOL, exhaustionPolicy: 'recycle' });
  // Heartbeats and calls use their own pool, where no new visit displaces the visits they rely on.
  const steady = await createPool(api, ranges, { clientId, label: 'steady', size: HEARTBEAT_VISITS, exhaustionPolicy: 'overflow' });
  log(`arranged 3 pools (${BIG_POOL + SMALL_POOL + HEARTBEAT_VISITS} numbers) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const memory = await measureLeaseMemory(redis, prefix, service, big, o.memoryLeases);
  const held = await leaseVisits(service.baseUrl, steady.siteKey, HEARTBEAT_VISITS);

  const scenarios: Scenario[] = [
    bareScenario(bare.baseUrl),
    leaseScenario(service.baseUrl, big, 'lease'),
    heartbeatScenario(service.baseUrl, steady, held),
    voiceScenario(service.baseUrl, authToken, held.slice(0, CALLED_NUMBERS)),
    leaseScenario(service.baseUrl, small, 'leaseSmall'),
  ];
  const ok = (status: number) => status >= 200 && status < 300;
  for (const s of scenarios) await smokeTest(s, (status, body) => ok(status) && (s.key !== 'voice' || body.includes('<Dial')));
  const leaseRequests: Partial<Record<ScenarioKey, number>> = { lease: 1 + o.memoryLeases, leaseSmall: 1 };
  const countLeases = (s: Scenario, r: LoadResult) => (leaseRequests[s.key] = (leaseRequests[s.key] ?? 0) + r.requests);

  const settle = async () => {
    if (!(await waitForDrainedEvents(redis, prefix, [big.poolId, small.poolId, steady.poolId]))) log('  (lease history writer still behind after 30 s)');
  };
  for (const s of scenarios) {
    countLeases(s, await runLoad(s, { connections: o.connections, durationSeconds: o.warmupSeconds }));
    await settle();
  }

  const results = new Map<ScenarioKey, LoadResult[]>(scenarios.map((s) => [s.key, []]));
  for (let round = 1; round <= o.rounds; round++) {
    for (const s of scenarios) {
      const r = await runLoad(s, { connections: o.connections, durationSeconds: o.durationSeconds });
      results.get(s.key)?.push(r);
      countLeases(s, r);
      log(`round ${round} ${s.title.padEnd(32)} ${r.reqPerSec.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  non-2xx ${r.non2xx}  errors ${r.errors}`);
      // Lease history moves to Postgres in the background; let it finish before the next scenario is timed.
      await settle();
    }
  }

  const summaries = scenarios.map((s) => summarise(s.key, s.title, results.get(s.key) ?? []));
  const byKey = (k: ScenarioKey) => summaries.find((s) => s.key === k) as (typeof summaries)[number];
  const { table, verdicts } = resultsTable(byKey('bare'), summaries.filter((s) => s.key !== 'bare'));
  const poolSize = poolSizeLine(byKey('lease'), byKey('leaseSmall'));
  const mem = memoryLines(memory);
  const all: Verdict[] = [...verdicts, poolSize.verdict, mem.verdict];

  const poolLines = await Promise.all(
    [
      { pool: big, key: 'lease' as const },
      { pool: small, key: 'leaseSmall' as const },
    ].map(async ({ pool, key }) => {
      const st = await poolStats(api, pool.poolId);
      const asked = leaseRequests[key] ?? 0;
      return `pool of ${pool.size.toLocaleString('en')}: ${asked} lease requests, ${asked - st.exhaustedCount} granted a free number, ${st.exhaustedCount} recycled the oldest lease; ${st.leased} live leases now`;
    }),
  );
  const calls = await withClient(db.url, async (c) => (await c.query<{ attribution: string; n: string }>('SELECT attribution, count(*) AS n FROM calls GROUP BY attribution ORDER BY 2 DESC')).rows);

  log();
  log(`## Results (median of ${o.rounds} rounds, ${o.durationSeconds} s each, ${o.connections} connections)`);
  log();
  log(table);
  log();
  log(poolSize.line);
  for (const line of mem.lines) log(line);
  for (const line of poolLines) log(line);
  log(`voice webhook: calls recorded by attribution: ${calls.map((c) => `${c.attribution} ${c.n}`).join(', ') || 'none'}`);
  log();
  log('## Every round');
  log();
  log(roundsTable(summaries));
  log();
  const failed = all.filter((v) => !v.pass);
  log(failed.length ? `TARGETS MISSED (${failed.length} of ${all.length}): ${failed.map((v) => v.name).join('; ')}` : `ALL ${all.length} TARGETS MET`);
  log(`bench took ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function main(): Promise<void> {
  const options = readOptions();
  const cleanup = new Cleanup();
  const interrupt = (signal: string) => {
    console.error(`\n${signal}: stopping the load, the child processes, and removing the bench data`);
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
