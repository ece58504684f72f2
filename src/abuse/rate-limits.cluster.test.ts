import { BlockList } from 'node:net';
import { Cluster } from 'ioredis';
import { describeIf } from '../../test/support/conditional';
import { missingRedisBinaries, PrivateRedisCluster } from '../../test/support/redis-cluster';
import { createRateLimits } from './rate-limits';

const missing = missingRedisBinaries();
const SITE_KEY = 'sk_cluster_test_site';

/** The counters on a Redis Cluster: one key per count, so no command ever spans two slots. */
describeIf({ met: missing.length === 0, missing: `${missing.join(' and ')} not on PATH (needed to start a private Redis Cluster)` }, 'rate limits on a private 3-master Redis Cluster', () => {
  const servers = new PrivateRedisCluster(3);
  let cluster: Cluster;

  beforeAll(async () => {
    await servers.start();
    cluster = new Cluster(servers.nodes, { scaleReads: 'master', redisOptions: { maxRetriesPerRequest: 1 } });
    await cluster.ping();
  }, 60_000);
  afterAll(async () => {
    await cluster?.quit();
    await servers.stop();
  }, 30_000);

  it('when many addresses and sites are counted, then each limit holds and the counters spread over the masters', async () => {
    const limits = createRateLimits(
      { ipPerMinute: 2, sitePerMinute: 1000, newVisitsPerIp: 1, newVisitsWindowSeconds: 600, allowlist: new BlockList() },
      { redis: cluster, keyPrefix: 'ct:', pseudonymKey: Buffer.alloc(32, 4) },
    );
    const addresses = Array.from({ length: 30 }, (_, i) => `198.51.100.${i + 1}`);

    const verdicts = await Promise.all(addresses.map(async (ip) => [await limits.requests.check(SITE_KEY, ip), await limits.requests.check(SITE_KEY, ip), await limits.requests.check(SITE_KEY, ip)]));
    const quota = await Promise.all(addresses.map(async (ip) => [await limits.newVisits.allow('site-1', ip), await limits.newVisits.allow('site-1', ip)]));

    expect(verdicts.map((v) => v.map((x) => x.allowed))).toEqual(addresses.map(() => [true, true, false]));
    expect(quota).toEqual(addresses.map(() => [true, false]));
    const perMaster = await Promise.all(cluster.nodes('master').map(async (node) => (await node.keys('ct:ratelimit:*')).length));
    expect(perMaster.every((n) => n > 0)).toBe(true);
    expect(perMaster.reduce((a, b) => a + b, 0)).toBe(30 + 1 + 30);
  });
});
