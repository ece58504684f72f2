import { Cluster, type Redis } from 'ioredis';
import { loadConfig } from '../../config';
import { openPoolStore } from '../../src/container';
import type { PoolSettings } from '../../src/pool/pool-store';
import { runPoolStoreContract } from '../../src/pool/pool-store.contract';
import { poolKeys } from '../../src/pool/redis/pool-keys';
import { RedisPoolStore } from '../../src/pool/redis/redis-pool-store';
import { describeIf } from '../support/conditional';
import { uniquePrefix } from '../support/redis';
import { deleteClusterKeysWithPrefix, missingRedisBinaries, PrivateRedisCluster } from '../support/redis-cluster';
import { redisKeysMentioning } from '../support/redis-scan';

/**
 * The Redis pool store on a real 3-master Redis Cluster that this file starts on spare ports and
 * shuts down afterwards (the shared Redis on 6379 is never touched).
 */

const T0 = Date.UTC(2025, 0, 1) + 789;
const MASTERS = 3;
const missing = missingRedisBinaries();

function settings(poolId: string): PoolSettings {
  return { poolId, leaseMs: 60_000, cooldownMs: 10_000, graceMs: 120_000, exhaustionPolicy: 'overflow' };
}

/** Port of the master serving each slot, from CLUSTER SLOTS. */
async function slotOwners(cluster: Cluster): Promise<(slot: number) => number> {
  const ranges = await cluster.cluster('SLOTS');
  return (slot) => {
    const range = ranges.find(([from, to]) => slot >= from && slot <= to);
    if (!range) throw new Error(`slot ${slot} is not served by any master`);
    return Number(range[2][1]);
  };
}

/** One pool id per master: pools named spread-0, spread-1, ... until each master serves one of them. */
async function onePoolPerMaster(cluster: Cluster): Promise<Map<number, string>> {
  const ownerOf = await slotOwners(cluster);
  const pools = new Map<number, string>();
  for (let i = 0; pools.size < MASTERS && i < 100; i += 1) {
    const poolId = `spread-${i}`;
    const owner = ownerOf(await cluster.cluster('KEYSLOT', `{${poolId}}`));
    if (!pools.has(owner)) pools.set(owner, poolId);
  }
  return pools;
}

async function countKeys(node: Redis, pattern: string): Promise<number> {
  let count = 0;
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    count += keys.length;
  } while (cursor !== '0');
  return count;
}

describeIf(
  { met: missing.length === 0, missing: `${missing.join(' and ')} not on PATH (needed to start a private Redis Cluster)` },
  'RedisPoolStore on a private 3-master Redis Cluster',
  () => {
    const servers = new PrivateRedisCluster(MASTERS);
    let cluster: Cluster;

    beforeAll(async () => {
      await servers.start();
      cluster = new Cluster(servers.nodes, { scaleReads: 'master', redisOptions: { maxRetriesPerRequest: 1 } });
    }, 60_000);
    afterAll(async () => {
      await cluster?.quit();
      await servers.stop();
    }, 30_000);

    runPoolStoreContract('RedisPoolStore (Redis Cluster)', async () => {
      const prefix = uniquePrefix('cluster');
      return {
        store: new RedisPoolStore(cluster, prefix, { consumerName: 'contract' }),
        cleanup: () => deleteClusterKeysWithPrefix(cluster, prefix),
        keysMentioning: (needles: string[]) => redisKeysMentioning(cluster, prefix, needles),
      };
    });

    describe('pools spread over the masters', () => {
      let prefix: string;
      beforeEach(() => {
        prefix = uniquePrefix('cluster');
      });
      afterEach(async () => {
        await deleteClusterKeysWithPrefix(cluster, prefix);
      });

      it('when the keys of a pool are hashed by the cluster, then all of them share the slot of its {poolId} tag, and pools differ', async () => {
        const slotsByPool = new Map<string, number>();
        for (const poolId of ['acme-main', 'acme-ppc', 'shop-42']) {
          const keys = Object.values(poolKeys(prefix, poolId));
          const slots = await Promise.all(keys.map((key) => cluster.cluster('KEYSLOT', key)));
          expect(new Set(slots)).toEqual(new Set([await cluster.cluster('KEYSLOT', `{${poolId}}`)]));
          slotsByPool.set(poolId, slots[0]);
        }
        expect(new Set(slotsByPool.values()).size).toBe(3);
      });

      it('when pools served by different masters lease, then each lease is granted and its pool keys live only on its own master', async () => {
        const pools = await onePoolPerMaster(cluster);
        expect(pools.size).toBe(MASTERS);
        const store = new RedisPoolStore(cluster, prefix, { consumerName: 'spread' });

        for (const [ownerPort, poolId] of pools) {
          const pool = settings(poolId);
          await store.addNumbers(poolId, ['n1']);
          const lease = await store.lease(pool, 'v1', T0);
          expect(lease).toMatchObject({ outcome: 'granted', lease: { numberId: 'n1', visitId: 'v1', token: 1 } });
          // The pool's only number is taken: the script saw the pool's whole state on that master.
          expect(await store.lease(pool, 'v2', T0)).toEqual({ outcome: 'exhausted' });
          expect((await store.holders(pool, 'n1', T0 + 1)).live?.visitId).toBe('v1');

          const keysByMaster = await Promise.all(cluster.nodes('master').map(async (node) => [node.options.port, await countKeys(node, `${prefix}pool:{${poolId}}:*`)] as const));
          expect(keysByMaster.filter(([, count]) => count > 0).map(([port]) => port)).toEqual([ownerPort]);
        }
      });
    });

    describe('built from config (REDIS_CLUSTER_NODES)', () => {
      it('when REDIS_CLUSTER_NODES names one node, then openPoolStore discovers the cluster, is ready, leases on every master and closes it', async () => {
        const prefix = uniquePrefix('cluster-config');
        const [first] = servers.nodes;
        const config = loadConfig({
          NODE_ENV: 'test',
          ADMIN_API_KEY: 'ctk_admin_cluster_test_0123456789',
          REDIS_CLUSTER_NODES: `${first.host}:${first.port}`,
          REDIS_KEY_PREFIX: prefix,
        });
        expect(config.redisClusterNodes).toEqual([first]);
        expect(config.redisUrl).toBeUndefined();

        const opened = openPoolStore(config);
        try {
          expect(opened.store.kind).toBe('redis');
          await expect(opened.store.ping()).resolves.toBeUndefined();
          for (const poolId of (await onePoolPerMaster(cluster)).values()) {
            await opened.store.addNumbers(poolId, ['n1', 'n2']);
            expect(await opened.store.lease(settings(poolId), 'v1', T0)).toMatchObject({ outcome: 'granted', lease: { numberId: 'n1', token: 1 } });
          }
        } finally {
          await opened.close();
          await deleteClusterKeysWithPrefix(cluster, prefix);
        }
        // close() ended the Cluster connection it opened.
        await expect(opened.store.ping()).rejects.toThrow();
      });
    });
  },
);
