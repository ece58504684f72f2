import type Redis from 'ioredis';
import { describeWithRedis } from '../../test/support/conditional';
import { connectTestRedis, deleteKeysWithPrefix, uniquePrefix } from '../../test/support/redis';
import { RedisPoolStore } from '../pool/redis/redis-pool-store';
import { memoryStoreFor } from './policy-variants';
import { poolSizing } from './pool-sizing';
import { simulateSite } from './simulate-site';
import { DEFAULT_POLICY, DEFAULT_TRAFFIC, type PoolPolicy, type SimulationSettings } from './simulation-settings';
import { differences } from './store-agreement';

const TRAFFIC = { ...DEFAULT_TRAFFIC, peakVisitsPerHour: 200, callShare: 0.3 };

describeWithRedis('attribution simulation on the Redis store', () => {
  let redis: Redis;
  let prefix: string;
  beforeAll(() => {
    redis = connectTestRedis();
  });
  afterAll(async () => {
    await redis.quit();
  });
  beforeEach(() => {
    prefix = uniquePrefix('sim');
  });
  afterEach(async () => {
    await deleteKeysWithPrefix(redis, prefix);
  });

  // A pool a fifth too small, so that exhaustion (overflow, or recycling live leases) happens too.
  it.each<[string, PoolPolicy]>([
    ['overflow', DEFAULT_POLICY],
    ['recycle', { ...DEFAULT_POLICY, exhaustionPolicy: 'recycle' }],
  ])("when a seeded half day runs under '%s' on Redis and in process, then every score is identical", async (_name, policy) => {
    const poolSize = Math.round(poolSizing(TRAFFIC, policy).recommended * 0.8);
    const settings: SimulationSettings = { seed: 3, days: 0.5, poolSize, traffic: TRAFFIC, policy };
    const onRedis = await simulateSite(new RedisPoolStore(redis, prefix, { consumerName: 'simulation-test' }), settings);
    const inMemory = await simulateSite(memoryStoreFor(settings), settings);
    expect(onRedis.blockedVisits).toBeGreaterThan(0);
    expect(differences(inMemory, onRedis)).toEqual([]);
    expect(onRedis).toEqual(inMemory);
  });
});
