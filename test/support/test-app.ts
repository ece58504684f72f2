import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import express from 'express';
import { loadConfig, type AppConfig } from '../../config';
import { TEST_PERSONAL_DATA_ENV } from './personal-data';
import { buildContainer, type Container } from '../../src/container';
import { createApp } from '../../src/app';
import { MemoryPoolStore } from '../../src/pool/memory-pool-store';
import { RedisPoolStore } from '../../src/pool/redis/redis-pool-store';
import type { PoolStore } from '../../src/pool/pool-store';
import type { TelephonyProvider } from '../../src/telephony/telephony-provider';
import { createPgliteTestDatabase, createPostgresTestDatabase, type TestDatabase } from './databases';
import { deleteKeysWithPrefix, uniquePrefix } from './redis';
import { TEST_REDIS_URL } from './test-env';

export const TEST_ADMIN_KEY = 'ctk_admin_test_key_0123456789abcdef';
export const TEST_AUTH_TOKEN = 'test-twilio-auth-token-0123456789';
export const TEST_BASE_URL = 'https://calls.example.test';

/** A clock the test moves by hand. */
export class TestClock {
  constructor(private t = Date.parse('2026-11-30T10:00:00Z')) {}
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface TestApp {
  app: express.Express;
  container: Container;
  clock: TestClock;
  config: AppConfig;
  close(): Promise<void>;
}

export type Backend = 'real' | 'embedded';

/**
 * The whole service in-process: `real` = this machine's Postgres (own database) and Redis (own key
 * prefix); `embedded` = PGlite in memory and the in-process pool, as `npm start` runs without URLs.
 */
export interface TestAppOptions {
  /** Use this Redis (e.g. a private one a test may flush) instead of the machine's shared one. */
  redisUrl?: string;
  /** Reuse a database (e.g. to restart the service on the same data); the caller drops it. */
  database?: TestDatabase;
  /** A carrier of the test's own (e.g. Twilio pointed at a local fake of its API), built from the config. */
  provider?: (config: AppConfig) => TelephonyProvider;
  /** Reuse another app's Redis key prefix: two instances of one deployment, sharing pool and rate-limit counters. */
  redisKeyPrefix?: string;
  /** Count the rate limits in this Redis instead of the pool's (e.g. one that is down). */
  rateLimitRedis?: Redis;
}

/**
 * e2e tests make dozens of visits from one address (loopback, or a few X-Forwarded-For values): limits
 * far above what any test reaches, so the limiters run but never refuse. test/e2e/rate-limits.test.ts
 * passes its own.
 */
const GENEROUS_RATE_LIMITS = { RATE_LIMIT_IP_PER_MINUTE: '1000000', RATE_LIMIT_SITE_PER_MINUTE: '1000000', RATE_LIMIT_NEW_VISITS_PER_IP: '1000000' };

export async function startTestApp(backend: Backend, env: Record<string, string> = {}, opts: TestAppOptions = {}): Promise<TestApp> {
  // Redis keys (pool, durable call queue, job locks) under a prefix of this app's own; a local call queue folder of its own.
  const prefix = opts.redisKeyPrefix ?? uniquePrefix('e2e');
  const queueDir = mkdtempSync(path.join(tmpdir(), 'ct-call-queue-'));
  const config = loadConfig({
    REDIS_KEY_PREFIX: prefix,
    CALL_QUEUE_DIR: queueDir,
    NODE_ENV: 'test',
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    TWILIO_AUTH_TOKEN: TEST_AUTH_TOKEN,
    TELEPHONY_PROVIDER: 'simulated',
    PUBLIC_BASE_URL: TEST_BASE_URL,
    LOG_LEVEL: 'silent',
    ...GENEROUS_RATE_LIMITS,
    ...TEST_PERSONAL_DATA_ENV,
    ...env,
  });
  const clock = new TestClock();
  let testDb: TestDatabase;
  let poolStore: PoolStore;
  let cleanupRedis = async () => undefined as void;
  let redis: Redis | undefined;
  if (backend === 'real') {
    testDb = opts.database ?? (await createPostgresTestDatabase());
    redis = new Redis(opts.redisUrl ?? TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    const connection = redis;
    poolStore = new RedisPoolStore(redis, config.redisKeyPrefix);
    cleanupRedis = async () => {
      // A test may have stopped its private Redis: cleaning up must not fail the run then.
      await deleteKeysWithPrefix(connection, config.redisKeyPrefix).catch(() => undefined);
      connection.disconnect();
    };
  } else {
    testDb = opts.database ?? (await createPgliteTestDatabase());
    poolStore = new MemoryPoolStore();
  }
  const container = await buildContainer(config, { db: testDb.db, poolStore, clock, redis, provider: opts.provider?.(config), rateLimitRedis: opts.rateLimitRedis });
  // Visits, lease history and page views reach Postgres in batches off the request path (in production
  // every LEASE_FLUSH_INTERVAL_MS). Here every request first drains what earlier requests left, so tests
  // read back deterministic state without sleeping.
  const app = express();
  app.use((_req, _res, next) => {
    Promise.all([container.leaseHistory.flush(), container.pageViews.flush()]).then(() => next(), next);
  });
  app.use(createApp(container));
  return {
    app,
    container,
    clock,
    config,
    async close() {
      await container.close();
      await poolStore.close();
      await cleanupRedis();
      if (!opts.database) await testDb.drop();
      rmSync(queueDir, { recursive: true, force: true });
    },
  };
}
