import Redis from 'ioredis';
import { describeWithRedis } from '../../../test/support/conditional';
import { connectTestRedis, deleteKeysWithPrefix, uniquePrefix } from '../../../test/support/redis';
import { redisKeysMentioning } from '../../../test/support/redis-scan';
import { TEST_REDIS_URL } from '../../../test/support/test-env';
import type { PoolSettings } from '../pool-store';
import { runPoolStoreContract } from '../pool-store.contract';
import { commandName, POOL_SCRIPTS } from './load-scripts';
import { RedisPoolStore } from './redis-pool-store';

const T0 = Date.UTC(2025, 0, 1) + 456;

describeWithRedis('RedisPoolStore', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = connectTestRedis();
  });
  afterAll(async () => {
    await redis.quit();
  });

  function storeFixture(connection: () => Redis, options = { consumerName: 'contract' }) {
    return async () => {
      const prefix = uniquePrefix('pool');
      return {
        store: new RedisPoolStore(connection(), prefix, options),
        cleanup: () => deleteKeysWithPrefix(redis, prefix),
        keysMentioning: (needles: string[]) => redisKeysMentioning(redis, prefix, needles),
      };
    };
  }

  runPoolStoreContract('RedisPoolStore (RESP3)', storeFixture(() => redis));

  describe('over RESP2', () => {
    let resp2: Redis;
    beforeAll(() => {
      resp2 = new Redis(TEST_REDIS_URL, { protocol: 2, maxRetriesPerRequest: 1 });
    });
    afterAll(async () => {
      await resp2.quit();
    });
    // Script replies avoid nils and maps, so both protocols must decode identically.
    runPoolStoreContract('RedisPoolStore (RESP2)', storeFixture(() => resp2));
  });

  describe('Redis specifics', () => {
    let prefix: string;
    let pool: PoolSettings;
    beforeEach(() => {
      prefix = uniquePrefix('pool');
      pool = { poolId: 'p1', leaseMs: 60_000, cooldownMs: 10_000, graceMs: 120_000, exhaustionPolicy: 'overflow' };
    });
    afterEach(async () => {
      await deleteKeysWithPrefix(redis, prefix);
    });

    it('when a pool is used, then all its keys share the {poolId} hash tag (one cluster slot)', async () => {
      const store = new RedisPoolStore(redis, prefix);
      await store.addNumbers('p1', ['n1', 'n2']);
      await store.lease(pool, 'v1', T0);
      await store.lease(pool, 'v2', T0);
      await store.lease(pool, 'v3', T0 + 1);
      await store.holders(pool, 'n1', T0 + 200_000);
      await store.readEvents('p1', 10);
      const keys = await redis.keys(`${prefix}*`);
      const names = keys.map((key) => key.replace(`${prefix}pool:{p1}:`, '')).sort();
      // Leases have expired by now, so holder, byVisit and leased are empty and gone.
      expect(names).toEqual(['clock', 'events', 'exhausted', 'free', 'gen', 'members', 'recent']);
    });

    it('when a poolId would break the hash tag, then it is refused', async () => {
      const store = new RedisPoolStore(redis, prefix);
      await expect(store.addNumbers('a}b', ['n1'])).rejects.toThrow(/Invalid poolId/);
      await expect(store.addNumbers('', ['n1'])).rejects.toThrow(/Invalid poolId/);
    });

    it('when leasing, heartbeating, looking up holders or forgetting visits, then each takes exactly one Redis command', async () => {
      const connection = connectTestRedis();
      try {
        const store = new RedisPoolStore(connection, prefix);
        await store.addNumbers('p1', ['n1']);
        const sent = jest.spyOn(connection, 'sendCommand');

        const lease = await store.lease(pool, 'v1', T0);
        expect(sent).toHaveBeenCalledTimes(1);
        if (lease.outcome !== 'granted') throw new Error('expected a grant');
        await store.heartbeat(pool, 'v1', lease.lease.token, T0 + 1);
        expect(sent).toHaveBeenCalledTimes(2);
        await store.holders(pool, 'n1', T0 + 2);
        expect(sent).toHaveBeenCalledTimes(3);
        await store.forgetVisits(pool, ['v1', 'v2'], T0 + 3);
        expect(sent).toHaveBeenCalledTimes(4);
        await store.forgetHoldersBefore(pool, T0 + 3);
        expect(sent).toHaveBeenCalledTimes(5);
        expect(sent.mock.calls.map(([command]) => (command as { name: string }).name)).toEqual(expect.arrayContaining([expect.stringMatching(/^eval/)]));
      } finally {
        await connection.quit();
      }
    });

    it('when the store is built, then its scripts are registered under versioned command names', () => {
      new RedisPoolStore(redis, prefix);
      for (const script of POOL_SCRIPTS) {
        expect(commandName(script)).toMatch(/^ct[A-Z]\w*V\d+$/);
        expect(typeof (redis as unknown as Record<string, unknown>)[commandName(script)]).toBe('function');
      }
    });

    it('when 200 visits lease at once through 4 connections, then no number is granted twice', async () => {
      const connections = Array.from({ length: 4 }, () => connectTestRedis());
      try {
        const stores = connections.map((c) => new RedisPoolStore(c, prefix));
        await stores[0].addNumbers('p1', Array.from({ length: 20 }, (_, i) => `n${i}`));
        const results = await Promise.all(Array.from({ length: 200 }, (_, i) => stores[i % 4].lease(pool, `v${i}`, T0)));
        const numbers = results.flatMap((r) => (r.outcome === 'granted' ? [r.lease.numberId] : []));
        expect(numbers).toHaveLength(20);
        expect(new Set(numbers).size).toBe(20);
        expect(results.filter((r) => r.outcome === 'exhausted')).toHaveLength(180);
        expect(await stores[1].stats(pool, T0)).toEqual({ total: 20, leased: 20, available: 0, coolingDown: 0, exhaustedCount: 180 });
      } finally {
        await Promise.all(connections.map((c) => c.quit()));
      }
    });

    it('when a consumer dies holding events, then another takes them over only after they have been idle long enough', async () => {
      const dead = new RedisPoolStore(redis, prefix, { consumerName: 'dead' });
      const patient = new RedisPoolStore(redis, prefix, { consumerName: 'patient' });
      const eager = new RedisPoolStore(redis, prefix, { consumerName: 'eager', claimIdleMs: 0 });
      await dead.addNumbers('p1', ['n1']);
      await dead.lease(pool, 'v1', T0);

      const delivered = await dead.readEvents('p1', 10);
      expect(delivered.ids).toHaveLength(1);
      expect(await patient.readEvents('p1', 10)).toEqual({ ids: [], events: [] });

      const claimed = await eager.readEvents('p1', 10);
      expect(claimed).toEqual(delivered);
      await eager.ackEvents('p1', claimed.ids);
      expect(await dead.readEvents('p1', 10)).toEqual({ ids: [], events: [] });
      expect(await redis.xlen(`${prefix}pool:{p1}:events`)).toBe(0);
    });

    it('when acknowledging an id that was never delivered, then the event is not deleted', async () => {
      const store = new RedisPoolStore(redis, prefix);
      await store.addNumbers('p1', ['n1']);
      await store.lease(pool, 'v1', T0);
      const [[id]] = (await redis.xrange(`${prefix}pool:{p1}:events`, '-', '+')) as [string, string[]][];
      await store.ackEvents('p1', [id]);
      expect((await store.readEvents('p1', 10)).ids).toEqual([id]);
    });
  });
});
