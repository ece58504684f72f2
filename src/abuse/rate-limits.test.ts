import { BlockList } from 'node:net';
import Redis from 'ioredis';
import type { RateLimitSettings } from '../../config';
import { describeWithRedis } from '../../test/support/conditional';
import { captureLogs } from '../../test/support/log-capture';
import { freePort } from '../../test/support/private-redis';
import { connectTestRedis, deleteKeysWithPrefix, uniquePrefix } from '../../test/support/redis';
import { TcpProxy } from '../../test/support/tcp-proxy';
import { TEST_REDIS_URL } from '../../test/support/test-env';
import { createRateLimits } from './rate-limits';

const SITE_KEY = 'sk_abuse_test_site';
const OTHER_SITE_KEY = 'sk_abuse_other_site';
const SECRET = Buffer.alloc(32, 9);

function settings(overrides: Partial<RateLimitSettings> = {}): RateLimitSettings {
  return { ipPerMinute: 3, sitePerMinute: 1000, newVisitsPerIp: 2, newVisitsWindowSeconds: 600, allowlist: new BlockList(), ...overrides };
}

async function checkTimes(limits: ReturnType<typeof createRateLimits>, times: number, siteKey: string, ip: string) {
  const verdicts = [];
  for (let i = 0; i < times; i++) verdicts.push(await limits.requests.check(siteKey, ip));
  return verdicts;
}

describe('rate limits in memory (single instance)', () => {
  const inMemory = (overrides: Partial<RateLimitSettings> = {}) => createRateLimits(settings(overrides), { keyPrefix: 'ct:', pseudonymKey: SECRET });

  it('when one address goes over its per-minute limit, then it is refused with a retry time and other addresses are not', async () => {
    const limits = inMemory();

    const verdicts = await checkTimes(limits, 4, SITE_KEY, '198.51.100.1');

    expect(verdicts.slice(0, 3)).toEqual([{ allowed: true }, { allowed: true }, { allowed: true }]);
    expect(verdicts[3]).toEqual({ allowed: false, limit: 'address', retryAfterSeconds: expect.any(Number) });
    expect((verdicts[3] as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((verdicts[3] as { retryAfterSeconds: number }).retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(await limits.requests.check(SITE_KEY, '198.51.100.2')).toEqual({ allowed: true });
  });

  it('when a site goes over its limit across addresses, then that site is refused and another site is not', async () => {
    const limits = inMemory({ ipPerMinute: 100, sitePerMinute: 5 });

    for (let i = 1; i <= 5; i++) expect(await limits.requests.check(SITE_KEY, `198.51.100.${i}`)).toEqual({ allowed: true });

    expect(await limits.requests.check(SITE_KEY, '198.51.100.6')).toMatchObject({ allowed: false, limit: 'site' });
    expect(await limits.requests.check(OTHER_SITE_KEY, '198.51.100.6')).toEqual({ allowed: true });
  });

  it('when the address is allowlisted, then it is never refused', async () => {
    const allowlist = new BlockList();
    allowlist.addSubnet('203.0.113.0', 24, 'ipv4');
    const limits = inMemory({ allowlist, sitePerMinute: 3 });

    const verdicts = await checkTimes(limits, 10, SITE_KEY, '203.0.113.9');

    expect(verdicts.every((v) => v.allowed)).toBe(true);
    expect(await limits.newVisits.allow('site-1', '203.0.113.9')).toBe(true);
  });

  it('when one address starts more new visits on a site than its quota, then the extra ones are refused, on that site only', async () => {
    const limits = inMemory();

    const allowed = [await limits.newVisits.allow('site-1', '198.51.100.1'), await limits.newVisits.allow('site-1', '198.51.100.1'), await limits.newVisits.allow('site-1', '198.51.100.1')];

    expect(allowed).toEqual([true, true, false]);
    expect(limits.newVisits.refused).toBe(1);
    expect(await limits.newVisits.allow('site-2', '198.51.100.1')).toBe(true);
    expect(await limits.newVisits.allow('site-1', '198.51.100.2')).toBe(true);
  });

  it('when an IPv6 client hops between addresses of its /64, then they count as one', async () => {
    const limits = inMemory();

    await limits.newVisits.allow('site-1', '2001:db8:1:2::a');
    await limits.newVisits.allow('site-1', '2001:db8:1:2::b');

    expect(await limits.newVisits.allow('site-1', '2001:db8:1:2::c')).toBe(false);
    expect(await limits.newVisits.allow('site-1', '2001:db8:1:3::a')).toBe(true);
  });
});

describeWithRedis('rate limits in Redis (shared by instances)', () => {
  let redis: Redis;
  let other: Redis;
  const prefix = uniquePrefix('ratelimit');

  beforeAll(async () => {
    redis = connectTestRedis();
    other = connectTestRedis();
    // Until a connection is ready the counters use their in-memory stand-in.
    await Promise.all([redis.ping(), other.ping()]);
  });

  afterAll(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    redis.disconnect();
    other.disconnect();
  });

  it('when two instances count the same address, then they share one count, kept under the prefix without the address', async () => {
    const first = createRateLimits(settings(), { redis, keyPrefix: prefix, pseudonymKey: SECRET });
    const second = createRateLimits(settings(), { redis: other, keyPrefix: prefix, pseudonymKey: SECRET });

    await checkTimes(first, 2, SITE_KEY, '198.51.100.77');
    const verdicts = await checkTimes(second, 2, SITE_KEY, '198.51.100.77');

    expect(verdicts).toEqual([{ allowed: true }, expect.objectContaining({ allowed: false, limit: 'address' })]);
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((k) => k.startsWith(`${prefix}ratelimit:`) && !k.includes('198.51.100.77'))).toBe(true);
  });

  it('when the limiter’s Redis cannot be reached, then requests are allowed (counted in memory) and one warning is logged', async () => {
    const down = new Redis(await freePort(), '127.0.0.1', { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
    down.on('error', () => undefined);
    void down.connect().catch(() => undefined);
    const logs = captureLogs('warn');
    try {
      const limits = createRateLimits(settings({ ipPerMinute: 50 }), { redis: down, keyPrefix: prefix, pseudonymKey: SECRET });

      const verdicts = await checkTimes(limits, 20, SITE_KEY, '198.51.100.88');
      const newVisit = await limits.newVisits.allow('site-1', '198.51.100.88');

      expect(verdicts.every((v) => v.allowed)).toBe(true);
      expect(newVisit).toBe(true);
      const warnings = logs.entries().filter((e) => e.module === 'rate-limits');
      expect(warnings).toHaveLength(1);
      expect(JSON.stringify(warnings)).not.toContain('198.51.100.88');
    } finally {
      logs.restore();
      // Its one connection attempt failed and ended it (disconnecting again would hold the process for 2 s).
      if (down.status !== 'end') down.disconnect();
    }
  });

  it('when the limiter’s Redis is down, then the in-memory stand-in still limits a flood', async () => {
    const down = new Redis(await freePort(), '127.0.0.1', { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
    down.on('error', () => undefined);
    void down.connect().catch(() => undefined);
    try {
      const limits = createRateLimits(settings(), { redis: down, keyPrefix: prefix, pseudonymKey: SECRET });

      const verdicts = await checkTimes(limits, 4, SITE_KEY, '198.51.100.99');

      expect(verdicts.map((v) => v.allowed)).toEqual([true, true, true, false]);
    } finally {
      if (down.status !== 'end') down.disconnect();
    }
  });

  it('when the limiter’s Redis stops answering mid-connection, then a count waits only its budget and the request is allowed', async () => {
    const proxy = await TcpProxy.start({ host: new URL(TEST_REDIS_URL).hostname, port: Number(new URL(TEST_REDIS_URL).port || 6379) });
    const silent = new Redis(proxy.port, '127.0.0.1', { maxRetriesPerRequest: 1, retryStrategy: () => null });
    silent.on('error', () => undefined);
    try {
      await silent.ping();
      const limits = createRateLimits(settings(), { redis: silent, keyPrefix: prefix, pseudonymKey: SECRET });
      proxy.cut('blackhole');

      const started = Date.now();
      const verdict = await limits.requests.check(SITE_KEY, '198.51.100.111');

      expect(verdict).toEqual({ allowed: true });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      silent.disconnect();
      await proxy.close();
    }
  });
});
