import Redis, { Cluster } from 'ioredis';
import type { AppConfig } from '../config';
import type { Database } from './db/database';
import { PgDatabase } from './db/pg-database';
import { PgliteDatabase } from './db/pglite-database';
import { migrate } from './db/migrate';
import { SqlClientStore } from './clients/client-store';
import { SqlSiteStore } from './sites/site-store';
import { SiteService } from './sites/site-service';
import { SiteDirectory } from './sites/site-directory';
import { SqlPoolConfigStore } from './pool/pool-config-store';
import type { PoolStore } from './pool/pool-store';
import { MemoryPoolStore } from './pool/memory-pool-store';
import { RedisPoolStore } from './pool/redis/redis-pool-store';
import { PoolService } from './pool/pool-service';
import { LeaseHistoryWriter } from './pool/lease-history-writer';
import { PoolRecovery } from './pool/pool-recovery';
import { SqlNumberStore } from './numbers/number-store';
import { NumberDirectory } from './numbers/number-directory';
import { SimulatedProvider } from './telephony/simulated-provider';
import type { TelephonyProvider } from './telephony/telephony-provider';
import { TwilioProvider } from './telephony/twilio-provider';
import { WEBHOOK_PATHS } from './telephony/voice-webhook-routes';
import { SqlVisitStore } from './tracking/visit-store';
import { VisitService } from './tracking/visit-service';
import { persistVisitNotes } from './tracking/persist-visit-notes';
import { SqlCallStore } from './calls/call-store';
import { CallService } from './calls/call-service';
import { systemClock, type Clock } from './shared/clock';
import { getLogger } from './shared/logging/logger';

const log = getLogger('container');

/** Everything the HTTP layer and the background jobs use, built once from config. */
export interface Container {
  config: AppConfig;
  clock: Clock;
  db: Database;
  poolStore: PoolStore;
  provider: TelephonyProvider;
  stores: {
    clients: SqlClientStore;
    sites: SqlSiteStore;
    pools: SqlPoolConfigStore;
    numbers: SqlNumberStore;
    visits: SqlVisitStore;
    calls: SqlCallStore;
  };
  services: { sites: SiteService; pools: PoolService; visits: VisitService; calls: CallService };
  siteDirectory: SiteDirectory;
  leaseHistory: LeaseHistoryWriter;
  mode: string;
  close(): Promise<void>;
}

export interface ContainerOverrides {
  db?: Database;
  poolStore?: PoolStore;
  provider?: TelephonyProvider;
  clock?: Clock;
}

export async function openDatabase(config: AppConfig): Promise<Database> {
  if (config.databaseUrl) return new PgDatabase({ connectionString: config.databaseUrl });
  return PgliteDatabase.open(`${config.embeddedDataDir}/pglite`);
}

/** The pool store and a way to release what it holds (the Redis connection belongs to us, not the store). */
export function openPoolStore(config: AppConfig): { store: PoolStore; close(): Promise<void> } {
  const redis = connectPoolRedis(config);
  if (!redis) {
    const store = new MemoryPoolStore();
    return { store, close: () => store.close() };
  }
  const store = new RedisPoolStore(redis, config.redisKeyPrefix);
  return {
    store,
    async close() {
      await store.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/**
 * One Redis (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES; config allows only one of them).
 * No client keyPrefix: the pool's keys carry config.redisKeyPrefix themselves.
 */
function connectPoolRedis(config: AppConfig): Redis | Cluster | undefined {
  if (config.redisClusterNodes) {
    const cluster = new Cluster(config.redisClusterNodes, {
      // Every pool operation is a write script; only masters may run it, and reads must not be stale.
      scaleReads: 'master',
      redisOptions: { maxRetriesPerRequest: 1, connectTimeout: 2000 },
    });
    cluster.on('error', (err) => log.warn('redis cluster error', { error: err }));
    cluster.on('node error', (err, node) => log.warn('redis cluster node error', { error: err, node }));
    return cluster;
  }
  if (!config.redisUrl) return undefined;
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: true, connectTimeout: 2000 });
  redis.on('error', (err) => log.warn('redis connection error', { error: err }));
  return redis;
}

export async function buildContainer(config: AppConfig, overrides: ContainerOverrides = {}): Promise<Container> {
  const db = overrides.db ?? (await openDatabase(config));
  await migrate(db);
  const opened = overrides.poolStore ? { store: overrides.poolStore, close: async () => undefined } : openPoolStore(config);
  const poolStore = opened.store;
  const clock = overrides.clock ?? systemClock;

  const stores = {
    clients: new SqlClientStore(db),
    sites: new SqlSiteStore(db),
    pools: new SqlPoolConfigStore(db),
    numbers: new SqlNumberStore(db),
    visits: new SqlVisitStore(db),
    calls: new SqlCallStore(db),
  };
  const provider = overrides.provider ?? createProvider(config, stores.numbers);
  const siteDirectory = new SiteDirectory(stores.sites, stores.pools);
  const numberDirectory = new NumberDirectory(stores.numbers);
  const recovery = new PoolRecovery(db, poolStore);
  const services = {
    sites: new SiteService(stores.sites, stores.clients),
    pools: new PoolService(stores.pools, stores.sites, stores.numbers, poolStore, provider, config.defaults, () => siteDirectory.forgetAll()),
    visits: new VisitService(siteDirectory, stores.visits, poolStore, numberDirectory, config.defaults.heartbeatSeconds, recovery),
    calls: new CallService(numberDirectory, stores.pools, poolStore, stores.calls, recovery),
  };
  const leaseHistory = new LeaseHistoryWriter(db, stores.pools, poolStore, config.leaseFlushIntervalMs, persistVisitNotes(stores.visits));
  const mode = `${db.kind === 'pglite' ? 'embedded Postgres (PGlite)' : 'PostgreSQL'} + ${poolStore.kind === 'memory' ? 'in-process pool' : 'Redis pool'}`;

  return {
    config,
    clock,
    db,
    poolStore,
    provider,
    stores,
    services,
    siteDirectory,
    leaseHistory,
    mode,
    async close() {
      await leaseHistory.stop();
      await opened.close();
      // A database handed in by the caller (tests) is the caller's to close.
      if (!overrides.db) await db.close();
    },
  };
}

function createProvider(config: AppConfig, numbers: SqlNumberStore): TelephonyProvider {
  if (config.telephony.provider === 'twilio') {
    return new TwilioProvider({
      accountSid: config.telephony.accountSid as string,
      authToken: config.telephony.authToken,
      voiceUrl: `${config.publicBaseUrl}${WEBHOOK_PATHS.voice}`,
      statusCallbackUrl: `${config.publicBaseUrl}${WEBHOOK_PATHS.status}`,
    });
  }
  return new SimulatedProvider((e164s) => numbers.findExisting(e164s));
}
