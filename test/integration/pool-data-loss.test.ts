import { startTestApp, type TestApp } from '../support/test-app';
import { createPgliteTestDatabase, createPostgresTestDatabase, type TestDatabase } from '../support/databases';
import { PrivateRedis } from '../support/private-redis';
import { callBySid, createTrackedSite, placeCall, visitWithNumber, type TrackedSite } from '../support/fixtures';
import { describeWithPostgres } from '../support/conditional';
import { hasPostgres } from '../support/test-env';

/**
 * Redis may lose every key (FLUSHALL, a restart without persistence) and the in-process pool starts
 * empty after a restart. Either way the pool is rebuilt from Postgres on first use: free numbers
 * return, and visits whose leases had not ended keep their numbers (so their calls stay theirs).
 */
async function arrange(t: TestApp): Promise<{ site: TrackedSite; a: { visitId: string; e164: string }; b: { visitId: string; e164: string } }> {
  const site = await createTrackedSite(t, { numbers: 3 });
  const a = await visitWithNumber(t, site.siteKey, { url: 'https://shop.example/?utm_source=google&utm_medium=cpc' });
  const b = await visitWithNumber(t, site.siteKey, { url: 'https://shop.example/?utm_source=bing&utm_medium=cpc' });
  // The lease history reaches Postgres in batches; this drains it, as the service does every second.
  await t.container.leaseHistory.flush();
  return { site, a: { visitId: a.visitId, e164: a.number.e164 }, b: { visitId: b.visitId, e164: b.number.e164 } };
}

async function expectRecovered(t: TestApp, site: TrackedSite, a: { visitId: string; e164: string }, b: { visitId: string; e164: string }): Promise<void> {
  // A newcomer gets the one number nobody held, not a number a live visitor is looking at.
  const c = await visitWithNumber(t, site.siteKey, { url: 'https://shop.example/' });
  expect([a.e164, b.e164]).not.toContain(c.number.e164);
  expect(site.numbers).toContain(c.number.e164);
  // The visitor who held a number keeps it.
  const again = await visitWithNumber(t, site.siteKey, { url: 'https://shop.example/contact', visitId: a.visitId });
  expect(again.number.e164).toBe(a.e164);
  // And a call to the other holder's number is still credited to that visit.
  const { callSid } = await placeCall(t, b.e164);
  expect(await callBySid(t, site.siteId, callSid)).toMatchObject({ attribution: 'lease', visitId: b.visitId, source: 'bing' });
}

describeWithPostgres('when Redis loses the pool', () => {
  let redis: PrivateRedis;
  let t: TestApp;

  beforeEach(async () => {
    redis = await PrivateRedis.start();
    t = await startTestApp('real', {}, { redisUrl: redis.url });
  });
  afterEach(async () => {
    await t.close();
    await redis.stop();
  });

  it('when every key is flushed, then the pool is rebuilt from Postgres and live visitors keep their numbers', async () => {
    const { site, a, b } = await arrange(t);
    await redis.flushAll();
    await expectRecovered(t, site, a, b);
  });

  it('when Redis restarts without persistence, then the same holds', async () => {
    const { site, a, b } = await arrange(t);
    await redis.restart();
    await expectRecovered(t, site, a, b);
  });
});

describe.each([
  ['embedded', createPgliteTestDatabase, true],
  ['real Postgres', createPostgresTestDatabase, hasPostgres()],
] as const)('when the service restarts with the in-process pool (%s)', (_name, createDb, available) => {
  (available ? it : it.skip)('when the new process serves its first visit, then the pool is rebuilt and live visitors keep their numbers', async () => {
    const db: TestDatabase = await createDb();
    try {
      const first = await startTestApp('embedded', {}, { database: db });
      const { site, a, b } = await arrange(first);
      await first.close();
      const second = await startTestApp('embedded', {}, { database: db });
      try {
        await expectRecovered(second, site, a, b);
      } finally {
        await second.close();
      }
    } finally {
      await db.drop();
    }
  });
});
