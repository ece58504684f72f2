import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { loadConfig } from '../../config';
import { buildContainer, type Container } from '../../src/container';
import { createApp } from '../../src/app';
import { PgDatabase } from '../../src/db/pg-database';
import { RedisPoolStore } from '../../src/pool/redis/redis-pool-store';
import { describeIf } from '../support/conditional';
import { createPostgresTestDatabase, type TestDatabase } from '../support/databases';
import { FORWARD_TO, WEBHOOKS, createTrackedSite, forwardsTo, inboundCall, twilioFixture, visitWithNumber } from '../support/fixtures';
import { connectTestRedis, deleteKeysWithPrefix, uniquePrefix } from '../support/redis';
import { TcpProxy } from '../support/tcp-proxy';
import { TEST_ADMIN_KEY, TEST_AUTH_TOKEN, TEST_BASE_URL, TestClock, type TestApp } from '../support/test-app';
import { hasPostgres, hasRedis, TEST_REDIS_URL } from '../support/test-env';
import { newCallSid, sendSignedWebhook } from '../support/twilio-webhooks';
import { TEST_PERSONAL_DATA_ENV } from '../support/personal-data';

/**
 * A call is never dropped: the service's connections to Postgres and to Redis run through TCP proxies
 * the test cuts mid-test. Calls placed meanwhile must all be put through in time, and once the
 * connection is back every call record and status event must arrive, exactly once, correctly credited.
 */
const CALLS = 5;
const GOOGLE_ADS_VISIT = { url: 'https://shop.example/offers?utm_source=google&utm_medium=cpc&gclid=fault', referrer: 'https://www.google.com/' };
const legEvent = (JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'twilio', 'number-status-events.json'), 'utf8')) as Record<string, string>[])[1];

describeIf({ met: hasPostgres() && hasRedis(), missing: 'Postgres and Redis' }, 'a call is never dropped', () => {
  let testDb: TestDatabase & { url: string };
  let pgProxy: TcpProxy;
  let redisProxy: TcpProxy;
  let appDb: PgDatabase;
  let redis: Redis;
  let prefix: string;
  let queueDir: string;
  let container: Container;
  let t: TestApp;

  beforeAll(async () => {
    testDb = await createPostgresTestDatabase();
    const pgUrl = new URL(testDb.url);
    pgProxy = await TcpProxy.start({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
    pgUrl.hostname = '127.0.0.1';
    pgUrl.port = String(pgProxy.port);
    // The service's own pool, through the proxy; assertions read through testDb.db, which is not cut.
    appDb = new PgDatabase({ connectionString: pgUrl.toString(), max: 4, connectionTimeoutMillis: 500 });

    const redisUrl = new URL(TEST_REDIS_URL);
    redisProxy = await TcpProxy.start({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
    redis = new Redis(redisProxy.port, '127.0.0.1', { maxRetriesPerRequest: 1, connectTimeout: 500, retryStrategy: () => 100 });
    redis.on('error', () => undefined);
    prefix = uniquePrefix('fault');
    queueDir = mkdtempSync(path.join(tmpdir(), 'ct-fault-queue-'));

    const config = loadConfig({
      NODE_ENV: 'test',
      ADMIN_API_KEY: TEST_ADMIN_KEY,
      ...TEST_PERSONAL_DATA_ENV,
      TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
      TELEPHONY_PROVIDER: 'simulated',
      PUBLIC_BASE_URL: TEST_BASE_URL,
      LOG_LEVEL: 'silent',
      REDIS_KEY_PREFIX: prefix,
      CALL_QUEUE_DIR: queueDir,
      CALL_WRITE_BUDGET_MS: '300',
    });
    const clock = new TestClock(Date.now());
    container = await buildContainer(config, { db: appDb, poolStore: new RedisPoolStore(redis, prefix), clock, redis });
    t = { app: createApp(container), container, clock, config, close: async () => undefined };
  });

  afterAll(async () => {
    pgProxy?.restore();
    redisProxy?.restore();
    await container?.close();
    await appDb?.close();
    redis?.disconnect();
    await pgProxy?.close();
    await redisProxy?.close();
    const direct = connectTestRedis();
    await deleteKeysWithPrefix(direct, prefix).catch(() => undefined);
    direct.disconnect();
    await testDb?.drop();
    if (queueDir) rmSync(queueDir, { recursive: true, force: true });
  });

  /** A pool of CALLS numbers, each shown to one visit from a Google Ads click; history in Postgres, routes in memory. */
  async function visitorsHoldingNumbers() {
    const site = await createTrackedSite(t, { numbers: CALLS });
    const visits = [];
    for (let i = 0; i < CALLS; i += 1) visits.push(await visitWithNumber(t, site.siteKey, GOOGLE_ADS_VISIT));
    await container.leaseHistory.flush();
    await container.numberDirectory.warm();
    return { site, visits };
  }

  /** Each visitor calls the number they were shown, all at once; returns the voice webhooks and how long each answer took. */
  async function placeCalls(visits: { number: { e164: string } }[]) {
    return Promise.all(
      visits.map(async (v) => {
        const voice = inboundCall(v.number.e164);
        const started = performance.now();
        const res = await sendSignedWebhook(t.app, WEBHOOKS.voice, voice);
        return { voice, res, ms: performance.now() - started };
      }),
    );
  }

  /** What Twilio sends after the forward: the dial outcome, the leg's status event, the call's final status twice (a retry). */
  async function sendCallProgress(voice: Record<string, string>) {
    const dial = { ...twilioFixture('dial-action'), CallSid: voice.CallSid, To: voice.To, Called: voice.To, DialCallSid: newCallSid() };
    const completed = { ...twilioFixture('call-status-completed'), CallSid: voice.CallSid, To: voice.To, Called: voice.To };
    const leg = { ...legEvent, ParentCallSid: voice.CallSid, CallSid: dial.DialCallSid };
    expect((await sendSignedWebhook(t.app, WEBHOOKS.dial, dial)).status).toBe(200);
    expect((await sendSignedWebhook(t.app, '/webhooks/twilio/number-status', leg)).status).toBe(204);
    for (let i = 0; i < 2; i += 1) expect((await sendSignedWebhook(t.app, WEBHOOKS.status, completed)).status).toBe(204);
    return { legSid: dial.DialCallSid };
  }

  /** Reads straight from Postgres (not through the cut proxy). */
  async function stored(callSid: string, legSid: string) {
    const q = (sql: string, p: unknown[]) => testDb.db.query<{ n: number }>(sql, p).then((r) => r.rows[0].n);
    return {
      calls: await q('SELECT count(*)::int AS n FROM calls WHERE call_sid = $1', [callSid]),
      events: await q('SELECT count(*)::int AS n FROM call_events WHERE call_sid = $1', [callSid]),
      legEvents: await q('SELECT count(*)::int AS n FROM call_events WHERE call_sid = $1', [legSid]),
    };
  }

  async function callRow(callSid: string) {
    const { rows } = await testDb.db.query<{ attribution: string; visit_id: string | null; needs_reattribution: boolean; status: string; duration_seconds: number | null; dial_status: string | null; inbound_recorded: boolean }>(
      'SELECT attribution, visit_id, needs_reattribution, status, duration_seconds, dial_status, inbound_recorded FROM calls WHERE call_sid = $1',
      [callSid],
    );
    return rows[0];
  }

  /** Drains the durable queue until it is empty (the first attempts may still meet a dead connection). */
  async function drainQueue() {
    for (let i = 0; i < 50; i += 1) {
      const result = await container.callWriter.drain();
      if (!result.interrupted && (await container.callWriter.queue.size()) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('the durable call queue did not drain');
  }

  async function redisAnswers() {
    for (let i = 0; i < 50; i += 1) {
      if (await redis.ping().then(() => true, () => false)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('redis did not come back through the proxy');
  }

  it('when Postgres stops answering, then every call is put through in time, and once it is back every record and status event arrives exactly once', async () => {
    // Arrange
    const { visits } = await visitorsHoldingNumbers();
    pgProxy.cut('blackhole');

    // Act: calls and their progress while Postgres hangs.
    const calls = await placeCalls(visits);
    const legs = await Promise.all(calls.map(({ voice }) => sendCallProgress(voice)));

    // Assert: forwarded, in time, nothing in Postgres yet, all of it queued.
    for (const { res, ms } of calls) {
      expect(res.status).toBe(200);
      expect(res.text).toMatch(forwardsTo(FORWARD_TO));
      expect(ms).toBeLessThan(1500);
    }
    for (const [i, { voice }] of calls.entries()) expect(await stored(voice.CallSid, legs[i].legSid)).toEqual({ calls: 0, events: 0, legEvents: 0 });
    expect(await container.callWriter.queue.size()).toBe(CALLS * 5);

    // Act: Postgres is back; the queue drains.
    pgProxy.restore();
    await drainQueue();

    // Assert: one row per call, credited to its visit, each event once.
    for (const [i, { voice }] of calls.entries()) {
      expect(await stored(voice.CallSid, legs[i].legSid)).toEqual({ calls: 1, events: 2, legEvents: 1 });
      expect(await callRow(voice.CallSid)).toEqual({
        attribution: 'lease',
        visit_id: visits[i].visitId,
        needs_reattribution: false,
        status: 'completed',
        duration_seconds: 56,
        dial_status: 'completed',
        inbound_recorded: true,
      });
    }
  });

  it('when Redis stops answering, then every call is put through to the pool forward target, and the re-attribution job credits each from the lease history', async () => {
    // Arrange
    const { visits } = await visitorsHoldingNumbers();
    redisProxy.cut('refuse');

    // Act
    const calls = await placeCalls(visits);
    const legs = await Promise.all(calls.map(({ voice }) => sendCallProgress(voice)));

    // Assert: forwarded in time, stored unattributed and marked.
    for (const { res, ms } of calls) {
      expect(res.status).toBe(200);
      expect(res.text).toMatch(forwardsTo(FORWARD_TO));
      expect(ms).toBeLessThan(3000);
    }
    for (const { voice } of calls) expect(await callRow(voice.CallSid)).toMatchObject({ attribution: 'none', visit_id: null, needs_reattribution: true });

    // Act: Redis is back; the scheduled re-attribution runs.
    redisProxy.restore();
    await redisAnswers();
    await container.jobs.definitions['reattribution'].run();

    // Assert
    for (const [i, { voice }] of calls.entries()) {
      expect(await callRow(voice.CallSid)).toMatchObject({ attribution: 'lease', visit_id: visits[i].visitId, needs_reattribution: false, status: 'completed' });
      expect(await stored(voice.CallSid, legs[i].legSid)).toEqual({ calls: 1, events: 2, legEvents: 1 });
    }
  });

  it('when Postgres and Redis are both down, then calls are put through, their records wait in the local file, and all arrive once both are back', async () => {
    // Arrange
    const { visits } = await visitorsHoldingNumbers();
    // Redis hangs rather than refuses: the pool lookup and the Redis queue each wait out their budget.
    pgProxy.cut('refuse');
    redisProxy.cut('blackhole');

    // Act
    const calls = await placeCalls(visits);
    const legs = await Promise.all(calls.map(({ voice }) => sendCallProgress(voice)));

    // Assert: forwarded in time; every write is in the fsync'd local file.
    for (const { res, ms } of calls) {
      expect(res.status).toBe(200);
      expect(res.text).toMatch(forwardsTo(FORWARD_TO));
      expect(ms).toBeLessThan(4000);
    }
    const file = path.join(queueDir, 'pending.jsonl');
    expect(existsSync(file)).toBe(true);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(CALLS * 5);

    // Act: both come back; the queue drains and the re-attribution job runs.
    pgProxy.restore();
    redisProxy.restore();
    await redisAnswers();
    await drainQueue();
    await container.jobs.definitions['reattribution'].run();

    // Assert
    for (const [i, { voice }] of calls.entries()) {
      expect(await stored(voice.CallSid, legs[i].legSid)).toEqual({ calls: 1, events: 2, legEvents: 1 });
      expect(await callRow(voice.CallSid)).toMatchObject({ attribution: 'lease', visit_id: visits[i].visitId, needs_reattribution: false, status: 'completed', dial_status: 'completed' });
    }
    expect(existsSync(file)).toBe(false);
  });
});
