/**
 * Load and soak test: several instances of the service share one Postgres database and one Redis key
 * prefix, as instances behind a load balancer do, while a realistic mix of visits, page views,
 * heartbeats and calls (voice webhook, status callbacks, dial action, duplicate deliveries) runs
 * against them for a set time. Then the instances are stopped with SIGTERM, and the database is
 * checked against a ledger of everything the service accepted. docs/performance.md has the figures.
 *
 *   npm run load -- [--duration 60] [--instances 2] [--connections 32] [--pool-size 1000] [--seed N]
 *                   [--rate REQ_PER_S] [--progress S] [--postgres-url URL] [--redis-url URL]
 *
 * Only loopback addresses are contacted. The run creates a private database (dropped at the end), a
 * Redis key prefix of its own (its keys deleted at the end, nothing flushed) and a temporary folder for
 * the instances' local call queues, and removes them also on failure and on Ctrl-C. Exit code 1 when a
 * check fails.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { poolKeys } from '../src/pool/redis/pool-keys';
import { AdminApi, NumberRanges, createClient, createPool, type BenchPool } from './bench/arrange';
import { Cleanup } from './bench/cleanup';
import { loadLine, machineFacts } from './bench/machine';
import type { ChildExit, ChildServer } from './bench/processes';
import { createPrivateDatabase, deleteKeysWithPrefix, uniqueRedisPrefix, withClient } from './bench/resources';
import { startService, throwawayPersonalDataKeys } from './bench/servers';
import { databaseChecks, databaseFacts, type Check } from './load/checks';
import { HttpClient, targetOf } from './load/http-client';
import { Ledger } from './load/ledger';
import { readOptions, type LoadOptions } from './load/options';
import { checkTable, cores, mib, pf, routeTable } from './load/report';
import { CpuTracker, rssMiB } from './load/resources';
import { RouteStats } from './load/route-stats';
import { MIX, Traffic } from './load/traffic';

/** What Twilio and browsers are told (never contacted): every instance verifies webhooks against it. */
const PUBLIC_BASE_URL = 'https://calls.load.example';
/**
 * Short leases, so that leases expire as well as being recycled during a run of minutes (production
 * defaults: 1800 s lease, 900 s grace). The pool recycles the stalest lease when every number is out.
 */
const POOL_TIMING = { leaseSeconds: 60, graceSeconds: 60, cooldownSeconds: 15 };
/** How long the instances get to drain their call queues, and to stop on SIGTERM. */
const QUEUE_DRAIN_TIMEOUT_MS = 60_000;
const SHUTDOWN_TIMEOUT_MS = 30_000;

const log = (line = '') => console.log(line);

interface Setup {
  o: LoadOptions;
  database: { url: string; name: string };
  redis: Redis;
  prefix: string;
  queueDirs: string[];
  instances: ChildServer[];
  adminKey: string;
  authToken: string;
}

async function setUp(o: LoadOptions, cleanup: Cleanup): Promise<Setup> {
  const db = await createPrivateDatabase(o.postgresUrl, 'ct_load');
  cleanup.add('drop the load database', () => db.drop());
  const redis = new Redis(o.redisUrl, { maxRetriesPerRequest: 1 });
  cleanup.add('close Redis', () => redis.quit());
  const prefix = uniqueRedisPrefix('ctload');
  cleanup.add('delete the load test Redis keys', async () => log(`cleanup: deleted ${await deleteKeysWithPrefix(redis, prefix)} Redis keys under ${prefix}`));
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'ct-load-'));
  cleanup.add('remove the call queue folders', () => rm(tmp, { recursive: true, force: true }));
  const name = new URL(db.url).pathname.slice(1);
  log(`database: private ${name} (dropped at the end); Redis key prefix ${prefix}; call queues under ${tmp}`);
  for (const line of await machineFacts(redis, db.url)) log(line);

  const adminKey = `ctk_load_${randomBytes(24).toString('base64url')}`;
  const authToken = randomBytes(16).toString('hex');
  // Instances sharing a database must share the keys that seal personal data in it.
  const personalDataKeys = throwawayPersonalDataKeys();
  const queueDirs = Array.from({ length: o.instances }, (_, i) => path.join(tmp, `instance-${i + 1}`, 'call-queue'));
  const instances: ChildServer[] = [];
  await Promise.all(
    queueDirs.map(async (queueDir, i) => {
      const instance = await startService({
        name: `instance ${i + 1}`,
        databaseUrl: db.url,
        redisUrl: o.redisUrl,
        redisKeyPrefix: prefix,
        adminApiKey: adminKey,
        twilioAuthToken: authToken,
        personalDataKeys,
        publicBaseUrl: PUBLIC_BASE_URL,
        stopTimeoutMs: SHUTDOWN_TIMEOUT_MS + 5_000,
        env: {
          // The local file queue is one folder per instance (docs/operations.md).
          CALL_QUEUE_DIR: queueDir,
          EMBEDDED_DATA_DIR: path.dirname(queueDir),
          SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
          LOG_LEVEL: 'warn',
          // Visitors come from many addresses (X-Forwarded-For), each counted by the per-address limits as
          // in production; the whole run is one busy site, so the per-site ceiling is lifted.
          RATE_LIMIT_SITE_PER_MINUTE: '100000000',
        },
      });
      instances[i] = instance;
      cleanup.add(`stop ${instance.name}`, () => instance.stop());
    }),
  );
  log(`instances: ${instances.map((s) => `${s.name} pid ${s.pid} at ${s.baseUrl}`).join('; ')}; PUBLIC_BASE_URL ${PUBLIC_BASE_URL}`);
  return { o, database: { url: db.url, name }, redis, prefix, queueDirs, instances, adminKey, authToken };
}

async function arrange(s: Setup): Promise<BenchPool> {
  const started = Date.now();
  const api = new AdminApi(s.instances[0].baseUrl, s.adminKey);
  const clientId = await createClient(api);
  const pool = await createPool(api, new NumberRanges(), { clientId, label: 'load', size: s.o.poolSize, exhaustionPolicy: 'recycle', timing: POOL_TIMING });
  log(`arranged a site with a pool of ${s.o.poolSize} numbers (recycling; lease ${POOL_TIMING.leaseSeconds} s, grace ${POOL_TIMING.graceSeconds} s, cool-down ${POOL_TIMING.cooldownSeconds} s) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return pool;
}

/** Lines every `progressSeconds`: throughput and latency of the last window, open work, memory, load. */
function startProgress(s: Setup, traffic: Traffic, stats: RouteStats, rss: number[][], cpu: CpuTracker): () => void {
  const started = performance.now();
  const timer = setInterval(() => {
    void cpu.sample();
    const w = stats.takeWindow();
    const memory = s.instances.map((i) => rssMiB(i.pid));
    rss.push(memory);
    const t = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
    log(
      `t=${t}s ${(w.requests / s.o.progressSeconds).toFixed(0).padStart(5)} req/s  p50 ${w.p50.toFixed(1)} ms  p99 ${w.p99.toFixed(1)} ms  failed ${w.failures}  live visits ${traffic.liveVisits}  webhooks due ${traffic.pendingWebhooks}  RSS ${memory.map(mib).join(' / ')} MiB  ${loadLine('', false).replace('load average : ', 'load ')}`,
    );
  }, s.o.progressSeconds * 1000);
  return () => clearInterval(timer);
}

/** Call writes that waited in a durable queue (Postgres slower than the budget) must reach Postgres before the check. */
async function waitForCallQueues(s: Setup): Promise<{ redisPending: number; fileEntries: number }> {
  const deadline = Date.now() + QUEUE_DRAIN_TIMEOUT_MS;
  for (;;) {
    const left = await queuedCallWrites(s);
    if ((left.redisPending === 0 && left.fileEntries === 0) || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function queuedCallWrites(s: Setup): Promise<{ redisPending: number; redisDead: number; fileEntries: number }> {
  let fileEntries = 0;
  for (const dir of s.queueDirs) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const n of names.filter((f) => f.endsWith('.jsonl'))) fileEntries += (await readFile(path.join(dir, n), 'utf8')).split('\n').filter(Boolean).length;
  }
  // The Redis call queue's stream and its dead letters (src/calls/durable/redis-call-queue.ts).
  return {
    redisPending: await s.redis.xlen(`${s.prefix}{call-queue}:pending`),
    redisDead: await s.redis.xlen(`${s.prefix}{call-queue}:dead`),
    fileEntries,
  };
}

async function leftoverChecks(s: Setup, pool: BenchPool, exits: ChildExit[]): Promise<Check[]> {
  const queued = await queuedCallWrites(s);
  const events = await s.redis.xlen(poolKeys(s.prefix, pool.poolId).events);
  return [
    {
      name: 'every instance stopped on SIGTERM with exit code 0',
      pass: exits.every((e) => e.code === 0),
      detail: exits.map((e, i) => `${s.instances[i].name}: ${e.code ?? e.signal}`).join(', '),
    },
    {
      name: 'nothing left unwritten: pool event stream and call queues empty',
      pass: events === 0 && queued.redisPending + queued.redisDead + queued.fileEntries === 0,
      detail: `pool events ${events}, Redis call queue ${queued.redisPending} pending / ${queued.redisDead} dead-lettered, local call queue files ${queued.fileEntries} entries`,
    },
  ];
}

async function load(o: LoadOptions, cleanup: Cleanup, onTraffic: (t: Traffic) => void): Promise<boolean> {
  const wallStart = Date.now();
  log(`load: ${o.durationSeconds} s, ${o.instances} instances, ${o.connections} connections${o.rate ? `, at most ${o.rate} req/s` : ' (closed loop)'}, pool of ${o.poolSize}, seed ${o.seed}`);
  log(`mix when no call webhook is due: ${Object.entries(MIX).map(([k, v]) => `${k} ${v * 100}%`).join(', ')}`);
  const s = await setUp(o, cleanup);
  const pool = await arrange(s);

  const ledger = new Ledger();
  const timed = new RouteStats();
  const drain = new RouteStats();
  const client = new HttpClient();
  cleanup.add('close HTTP connections', async () => client.close());
  const traffic = new Traffic(
    {
      targets: s.instances.map((i) => targetOf(i.name, i.baseUrl)),
      siteKey: pool.siteKey,
      publicBaseUrl: PUBLIC_BASE_URL,
      authToken: s.authToken,
      connections: o.connections,
      rate: o.rate,
      seed: o.seed,
      liveVisitCap: Math.min(5000, 2 * o.poolSize),
    },
    client,
    ledger,
    timed,
  );
  onTraffic(traffic);

  const cpu = new CpuTracker(s.redis, s.instances.map((i) => i.pid), s.database.name);
  const rss: number[][] = [s.instances.map((i) => rssMiB(i.pid))];
  await cpu.sample();
  const stopProgress = startProgress(s, traffic, timed, rss, cpu);
  const timedMs = await traffic.runTimed(o.durationSeconds * 1000).finally(stopProgress);
  await cpu.sample();
  const used = cpu.coresUsed();
  const rssEnd = s.instances.map((i) => rssMiB(i.pid));
  log(loadLine('at the end of the timed phase', false));
  const drainMs = await traffic.drain(drain);

  const queued = await waitForCallQueues(s);
  if (queued.redisPending || queued.fileEntries) log(`call queues still hold ${queued.redisPending + queued.fileEntries} writes after ${QUEUE_DRAIN_TIMEOUT_MS / 1000} s`);
  const stopStarted = Date.now();
  const exits = await Promise.all(s.instances.map((i) => i.stop()));
  log(`instances stopped in ${((Date.now() - stopStarted) / 1000).toFixed(1)} s: ${exits.map((e) => e.code ?? e.signal).join(', ')}`);

  const checks: Check[] = [
    {
      name: 'every request answered as expected (2xx, or 409 for a heartbeat whose lease was recycled or expired)',
      pass: traffic.unexpected.count === 0,
      detail: `${traffic.unexpected.count} unexpected answers${traffic.unexpected.samples.length ? ` (e.g. ${traffic.unexpected.samples.slice(0, 3).join('; ')})` : ''}`,
    },
    ...(await leftoverChecks(s, pool, exits)),
    ...(await withClient(s.database.url, (db) => databaseChecks(db, ledger))),
  ];
  const facts = await withClient(s.database.url, (db) => databaseFacts(db));

  report({ s, timed, drain, timedMs, drainMs, used, rss, rssEnd, ledger, facts, checks });
  log(`${loadLine('at the end', false)}; the run took ${((Date.now() - wallStart) / 1000).toFixed(0)} s`);
  return checks.every((c) => c.pass);
}

interface RunOutcome {
  s: Setup;
  timed: RouteStats;
  drain: RouteStats;
  timedMs: number;
  drainMs: number;
  used: ReturnType<CpuTracker['coresUsed']>;
  /** Resident memory of each instance at the start and at every progress line. */
  rss: number[][];
  rssEnd: number[];
  ledger: Ledger;
  facts: string[];
  checks: Check[];
}

/** The markdown docs/performance.md quotes: the route table, resources, what the database holds, the checks. */
function report(r: RunOutcome): void {
  const s = r.s;
  const o = s.o;
  const seconds = r.timedMs / 1000;
  const drained = r.drain.total(r.drainMs / 1000);
  const maxRss = s.instances.map((_, i) => Math.max(...r.rss.map((m) => m[i]).filter(Number.isFinite)));
  log();
  log(`## Load and soak: ${o.durationSeconds} s, ${o.instances} instances, ${o.connections} connections, pool of ${o.poolSize}, seed ${o.seed}`);
  log();
  log(`Timed phase: ${seconds.toFixed(1)} s. Latency from the request's first byte to the answer's last, at the load generator.`);
  log();
  log(routeTable(r.timed.summary(seconds), r.timed.total(seconds)));
  log();
  log(`Drain (no new visits or calls; the webhooks of calls in progress): ${drained.requests} requests in ${(r.drainMs / 1000).toFixed(1)} s, p99 ${drained.p99.toFixed(1)} ms, ${drained.failures} failed.`);
  log(`CPU during the timed phase, in cores: ${r.used.instances.map((c, i) => `${s.instances[i].name} ${cores(c)}`).join(', ')}, Redis ${cores(r.used.redis)} (the whole server, whoever uses it), Postgres ${cores(r.used.postgres)} (this database's backends), load generator ${cores(r.used.loadGenerator)}; ${os.cpus().length} cores in the machine, shared with other work.`);
  log(`Resident memory (MiB), start / end of traffic / max seen: ${s.instances.map((inst, i) => `${inst.name} ${mib(r.rss[0][i])} / ${mib(r.rssEnd[i])} / ${mib(maxRss[i])}`).join(', ')}`);
  log(`Ledger: ${r.ledger.visits.size} visits, ${r.ledger.grants.size} leases told, ${r.ledger.calls.size} calls; ${r.ledger.uncertainVisitRequests} visit requests without a clear answer.`);
  for (const line of r.facts) log(line);
  log();
  log(checkTable(r.checks));
  log();
  const failed = r.checks.filter((c) => !c.pass);
  if (failed.length) {
    for (const i of s.instances) log(`--- last output of ${i.name} ---\n${i.output().slice(-3000)}`);
  }
  log(failed.length ? `CHECKS FAILED (${failed.length} of ${r.checks.length}): ${failed.map((c) => c.name).join('; ')}` : `ALL ${r.checks.length} CHECKS ${pf(true)}`);
}

async function main(): Promise<void> {
  const options = readOptions();
  const cleanup = new Cleanup();
  let traffic: Traffic | undefined;
  const interrupt = (signal: string) => {
    console.error(`\n${signal}: stopping the traffic and the instances, removing the load test's data`);
    traffic?.stop();
    void cleanup.run().finally(() => process.exit(130));
  };
  process.once('SIGINT', () => interrupt('SIGINT'));
  process.once('SIGTERM', () => interrupt('SIGTERM'));
  try {
    const passed = await load(options, cleanup, (t) => (traffic = t));
    process.exitCode = passed ? 0 : 1;
  } finally {
    await cleanup.run();
  }
}

main().catch((err) => {
  console.error(`load failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
