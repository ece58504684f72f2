import Redis from 'ioredis';
import request from 'supertest';
import { startTestApp, type Backend, type TestApp, type TestAppOptions } from '../support/test-app';
import { BACKENDS, adminApi, createTrackedSite, expectProblem } from '../support/fixtures';
import { freePort } from '../support/private-redis';
import { BROWSER_USER_AGENT } from '../support/user-agents';

/**
 * The public endpoints' abuse limits (docs/security.md): requests per client address and per site
 * (429), new visits per address and site (the page keeps its own number). Each test starts the app
 * with limits of its own; the client address is set with X-Forwarded-For, which trust proxy honours
 * from loopback. Addresses are from the documentation ranges.
 */
const LIMITS = {
  RATE_LIMIT_IP_PER_MINUTE: '300',
  RATE_LIMIT_SITE_PER_MINUTE: '30000',
  RATE_LIMIT_NEW_VISITS_PER_IP: '20',
  RATE_LIMIT_NEW_VISITS_WINDOW_SECONDS: '600',
  RATE_LIMIT_ALLOWLIST: '',
};

const BOT_IP = '198.51.100.66';
const visitorIp = (i: number) => `203.0.113.${10 + i}`;

interface PoolStats {
  total: number;
  leased: number;
  available: number;
}

function visitFrom(t: TestApp, siteKey: string, ip: string) {
  return request(t.app)
    .post(`/t/${siteKey}/visits`)
    .set('User-Agent', BROWSER_USER_AGENT)
    .set('Origin', 'https://shop.example')
    .set('X-Forwarded-For', ip)
    .send({ url: 'https://shop.example/' });
}

const scriptFrom = (t: TestApp, siteKey: string, ip: string) => request(t.app).get(`/t/${siteKey}.js`).set('X-Forwarded-For', ip);

async function poolStats(t: TestApp, poolId: string | null): Promise<PoolStats> {
  return (await adminApi(t).get(`/v1/pools/${poolId}`).expect(200)).body.stats as PoolStats;
}

async function visitCount(t: TestApp, siteId: string): Promise<number> {
  await t.container.leaseHistory.flush();
  const { rows } = await t.container.db.query<{ n: number }>('SELECT count(*)::int AS n FROM visits WHERE site_id = $1', [siteId]);
  return rows[0].n;
}

describe.each(BACKENDS)('public endpoint rate limits on %s backends', (backend: Backend, available: boolean) => {
  const maybe = available ? it : it.skip;
  // Sharing counts across instances needs a shared Redis: on the embedded backend it does not apply (not skipped: not defined).
  const maybeShared = backend === 'real' ? maybe : () => undefined;
  const started: TestApp[] = [];

  async function appWith(env: Record<string, string>, opts: TestAppOptions = {}): Promise<TestApp> {
    const t = await startTestApp(backend, { ...LIMITS, ...env }, opts);
    started.push(t);
    return t;
  }

  afterEach(async () => {
    await Promise.all(started.splice(0).map((t) => t.close()));
  });

  maybe('when one address sends a scripted burst of new visits, then most of the pool stays free and other visitors still get numbers', async () => {
    // Arrange: a pool of 20 numbers; one address may start 3 new visits per window.
    const t = await appWith({ RATE_LIMIT_NEW_VISITS_PER_IP: '3' });
    const { siteId, siteKey, poolId } = await createTrackedSite(t, { numbers: 20 });

    // Act: 60 new visits at once from one machine, then 10 people from their own addresses.
    const burst = await Promise.all(Array.from({ length: 60 }, () => visitFrom(t, siteKey, BOT_IP)));
    const afterBurst = await poolStats(t, poolId);
    const visitors = await Promise.all(Array.from({ length: 10 }, (_, i) => visitFrom(t, siteKey, visitorIp(i))));

    // Assert: every answer is a 200; only the quota got numbers, the rest look like untracked visitors.
    expect(burst.map((r) => r.status)).toEqual(Array(60).fill(200));
    const tracked = burst.filter((r) => r.body.number !== null);
    expect(tracked).toHaveLength(3);
    for (const refused of burst.filter((r) => r.body.number === null)) {
      expect(refused.body).toEqual({ visitorId: null, visitId: null, number: null, leaseToken: null, leaseExpiresAt: null, heartbeatSeconds: expect.any(Number) });
    }
    expect(afterBurst).toMatchObject({ total: 20, leased: 3, available: 17 });
    expect(visitors.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(visitors.every((r) => r.body.number !== null)).toBe(true);
    expect(await poolStats(t, poolId)).toMatchObject({ leased: 13, available: 7 });
    // The refused visits stored nothing.
    expect(await visitCount(t, siteId)).toBe(13);
  });

  maybe('when an address that holds a visit comes back over its quota, then its visit continues with the same number', async () => {
    // Arrange
    const t = await appWith({ RATE_LIMIT_NEW_VISITS_PER_IP: '1' });
    const { siteKey } = await createTrackedSite(t, { numbers: 3 });
    const first = (await visitFrom(t, siteKey, BOT_IP).expect(200)).body;
    expect((await visitFrom(t, siteKey, BOT_IP).expect(200)).body.number).toBeNull();

    // Act: the page is reloaded; the script sends back its visit id.
    const again = await request(t.app)
      .post(`/t/${siteKey}/visits`)
      .set('User-Agent', BROWSER_USER_AGENT)
      .set('X-Forwarded-For', BOT_IP)
      .send({ url: 'https://shop.example/contact', visitId: first.visitId, visitorId: first.visitorId })
      .expect(200);

    // Assert
    expect(again.body).toMatchObject({ visitId: first.visitId, number: first.number });
  });

  maybe('when one address goes over the per-address request limit, then 429 problem with Retry-After, and other addresses are served', async () => {
    // Arrange
    const t = await appWith({ RATE_LIMIT_IP_PER_MINUTE: '5' });
    const { siteKey } = await createTrackedSite(t, { numbers: 5 });
    // The script and the visit registrations all count.
    for (let i = 0; i < 3; i += 1) await scriptFrom(t, siteKey, BOT_IP).expect(200);
    for (let i = 0; i < 2; i += 1) await visitFrom(t, siteKey, BOT_IP).expect(200);

    // Act
    const refused = await visitFrom(t, siteKey, BOT_IP);
    const scriptRefused = await scriptFrom(t, siteKey, BOT_IP);
    const other = await visitFrom(t, siteKey, visitorIp(1));

    // Assert
    expectProblem(refused, 429);
    expect(refused.body).toMatchObject({ title: 'Too many requests', limit: 'address' });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(refused.body.retryAfterSeconds).toBe(retryAfter);
    expectProblem(scriptRefused, 429);
    expect(other.status).toBe(200);
    expect(other.body.number).not.toBeNull();
  });

  maybe('when a site goes over its request limit across many addresses, then it answers 429 and another site is served', async () => {
    // Arrange
    const t = await appWith({ RATE_LIMIT_SITE_PER_MINUTE: '6' });
    const busy = await createTrackedSite(t, { numbers: 10 });
    const quiet = await createTrackedSite(t, { numbers: 1 });
    for (let i = 0; i < 6; i += 1) await visitFrom(t, busy.siteKey, visitorIp(i)).expect(200);

    // Act
    const refused = await visitFrom(t, busy.siteKey, visitorIp(7));
    const other = await visitFrom(t, quiet.siteKey, visitorIp(7));

    // Assert
    expectProblem(refused, 429);
    expect(refused.body.limit).toBe('site');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(other.status).toBe(200);
    expect(other.body.number).not.toBeNull();
  });

  maybe('when the address is in an allowlisted range, then no limit applies to it, while others are still limited', async () => {
    // Arrange: a load generator in 192.0.2.0/24.
    const t = await appWith({ RATE_LIMIT_ALLOWLIST: '192.0.2.0/24,2001:db8:ffff::/48', RATE_LIMIT_IP_PER_MINUTE: '3', RATE_LIMIT_SITE_PER_MINUTE: '40', RATE_LIMIT_NEW_VISITS_PER_IP: '1' });
    const { siteKey, poolId } = await createTrackedSite(t, { numbers: 10 });

    // Act
    const fromV4 = await Promise.all(Array.from({ length: 8 }, () => visitFrom(t, siteKey, '192.0.2.200')));
    const fromV6 = await Promise.all(Array.from({ length: 2 }, () => visitFrom(t, siteKey, '2001:db8:ffff:1::7')));
    const outside = [];
    for (let i = 0; i < 4; i += 1) outside.push(await scriptFrom(t, siteKey, BOT_IP));

    // Assert
    expect([...fromV4, ...fromV6].map((r) => r.status)).toEqual(Array(10).fill(200));
    expect([...fromV4, ...fromV6].every((r) => r.body.number !== null)).toBe(true);
    expect(await poolStats(t, poolId)).toMatchObject({ leased: 10, available: 0 });
    expect(outside.map((r) => r.status)).toEqual([200, 200, 200, 429]);
  });

  maybeShared('when two instances share one Redis, then an address is counted once across both', async () => {
    // Arrange: two instances of one deployment (same Redis, same key prefix), 5 requests a minute per address.
    const first = await appWith({ RATE_LIMIT_IP_PER_MINUTE: '5' });
    const second = await appWith({ RATE_LIMIT_IP_PER_MINUTE: '5' }, { redisKeyPrefix: first.config.redisKeyPrefix });
    const siteOnFirst = await createTrackedSite(first, { numbers: 1 });
    const siteOnSecond = await createTrackedSite(second, { numbers: 1 });

    // Act: three requests through each instance.
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await scriptFrom(first, siteOnFirst.siteKey, BOT_IP)).status);
    for (let i = 0; i < 3; i += 1) statuses.push((await scriptFrom(second, siteOnSecond.siteKey, BOT_IP)).status);

    // Assert: the sixth request overall is refused, though the second instance saw only three.
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  maybe('when the limiter’s Redis cannot be reached, then the script, visits and heartbeats are still served', async () => {
    // Arrange: the rate limits count in a Redis on a port nothing listens on.
    const down = new Redis(await freePort(), '127.0.0.1', { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null });
    down.on('error', () => undefined);
    void down.connect().catch(() => undefined);
    try {
      const t = await appWith({ RATE_LIMIT_NEW_VISITS_PER_IP: '5' }, { rateLimitRedis: down });
      const { siteKey } = await createTrackedSite(t, { numbers: 2 });

      // Act
      const script = await scriptFrom(t, siteKey, visitorIp(1));
      const visit = await visitFrom(t, siteKey, visitorIp(1));
      const heartbeat = await request(t.app)
        .post(`/t/${siteKey}/visits/${visit.body.visitId}/heartbeat`)
        .set('X-Forwarded-For', visitorIp(1))
        .send({ leaseToken: visit.body.leaseToken });

      // Assert
      expect(script.status).toBe(200);
      expect(visit.status).toBe(200);
      expect(visit.body.number).not.toBeNull();
      expect(heartbeat.status).toBe(200);
    } finally {
      // Its one connection attempt failed and ended it (disconnecting again would hold the process for 2 s).
      if (down.status !== 'end') down.disconnect();
    }
  });
});
