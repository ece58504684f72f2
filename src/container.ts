import { hkdfSync } from 'node:crypto';
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
import { SqlPoolHealthStore } from './pool/health/pool-health-store';
import { PoolHealthSampler } from './pool/health/pool-health-sampler';
import { PoolHealthService } from './pool/health/pool-health-service';
import { SqlNumberStore } from './numbers/number-store';
import { NumberDirectory } from './numbers/number-directory';
import { SimulatedProvider } from './telephony/simulated-provider';
import type { TelephonyProvider } from './telephony/telephony-provider';
import { TwilioProvider } from './telephony/twilio-provider';
import { WEBHOOK_PATHS } from './telephony/voice-webhook-routes';
import { SqlVisitStore } from './tracking/visit-store';
import { VisitService } from './tracking/visit-service';
import { VisitIds } from './tracking/visit-ids';
import { persistVisitNotes } from './tracking/persist-visit-notes';
import { SqlPageViewStore } from './tracking/page-view-store';
import { PageViewRecorder } from './tracking/page-view-recorder';
import { IpLocationDbLookup } from './tracking/network/network-lookup';
import { TrackingScripts } from './tracking/tracking-script';
import { SqlConsentStore } from './tracking/consent-store';
import { ConsentService } from './tracking/consent-service';
import { SqlCallStore } from './calls/call-store';
import { SqlReportStore } from './reports/report-store';
import { SqlCallExportStore } from './reports/call-export-store';
import { SqlCallJourneyStore } from './reports/call-journey-store';
import { CallService } from './calls/call-service';
import { CallWhisper } from './calls/call-whisper';
import { CallReattribution } from './calls/call-reattribution';
import { buildCallIntegrations, type CallIntegrations } from './integrations/call-integrations';
import { Ga4Target } from './integrations/ga4/ga4-target';
import { CallWriter } from './calls/durable/call-writer';
import { callWriteSealing } from './calls/durable/call-write-sealing';
import { PersonalDataCipher } from './privacy/personal-data-cipher';
import { SqlPrivacyRequestStore } from './privacy/privacy-request-store';
import { SqlSubjectDataStore } from './privacy/subject-data-store';
import { SubjectLimits } from './privacy/subject-limits';
import { AuditLog } from './privacy/audit-log';
import { PrivacyService } from './privacy/privacy-service';
import { SqlApiKeyStore } from './access/api-key-store';
import { ApiKeyAuthenticator, hashApiKey } from './access/authenticate';
import { AccessControl } from './access/guard';
import { TenantResolver } from './access/tenant-resolver';
import type { CallQueue } from './calls/durable/call-queue';
import { FileCallQueue } from './calls/durable/file-call-queue';
import { RedisCallQueue } from './calls/durable/redis-call-queue';
import { FallbackCallQueue } from './calls/durable/fallback-call-queue';
import { NumberLifecycle } from './numbers/number-lifecycle';
import { NumberReconciliation } from './numbers/number-reconciliation';
import { RetentionJob } from './privacy/retention/retention-job';
import { SqlRetentionStore } from './privacy/retention/retention-store';
import { JobScheduler, type JobDefinition } from './jobs/job-scheduler';
import { MemoryJobLock } from './jobs/memory-job-lock';
import { RedisJobLock } from './jobs/redis/redis-job-lock';
import { SqlJobRunLog } from './jobs/job-run-log';
import { backgroundJobs } from './jobs/background-jobs';
import type { NumberWebhooks } from './telephony/telephony-provider';
import { systemClock, type Clock } from './shared/clock';
import { getLogger } from './shared/logging/logger';
import { Metrics } from './metrics/metrics';
import { PoolStatsReader } from './metrics/pool-stats-reader';
import { countConnectionErrors } from './metrics/backend-errors';
import { createRateLimits, type RateLimits } from './abuse/rate-limits';

const log = getLogger('container');

/** Everything the HTTP layer and the background jobs use, built once from config. */
export interface Container {
  config: AppConfig;
  clock: Clock;
  db: Database;
  poolStore: PoolStore;
  /** Seals caller numbers, caller names and IPs at rest; keyed index for lookups. */
  personalData: PersonalDataCipher;
  privacy: { service: PrivacyService; limits: SubjectLimits; audit: AuditLog };
  /** API keys, who the caller is, and what each admin route lets them touch. */
  access: { keys: SqlApiKeyStore; authenticator: ApiKeyAuthenticator; control: AccessControl };
  provider: TelephonyProvider;
  stores: {
    clients: SqlClientStore;
    sites: SqlSiteStore;
    pools: SqlPoolConfigStore;
    numbers: SqlNumberStore;
    visits: SqlVisitStore;
    calls: SqlCallStore;
  };
  /** Reads for reports, the calls CSV export and call journeys (src/reports). */
  reports: { store: SqlReportStore; exports: SqlCallExportStore; journeys: SqlCallJourneyStore };
  services: { sites: SiteService; pools: PoolService; visits: VisitService; calls: CallService };
  /** Pool utilisation, exhaustion and sizing advice (GET /v1/pools/{id}/health), from the 'pool-health-sample' job's samples. */
  poolHealth: PoolHealthService;
  /** Public endpoints' limits: requests per address and per site, new visits per address (src/abuse). */
  rateLimits: RateLimits;
  /** Consent given or withdrawn in the tracking script (sites with consent 'required'). */
  consents: ConsentService;
  siteDirectory: SiteDirectory;
  leaseHistory: LeaseHistoryWriter;
  pageViews: PageViewRecorder;
  networkLookup: IpLocationDbLookup;
  trackingScripts: TrackingScripts;
  numberDirectory: NumberDirectory;
  /** Call webhooks' writes: Postgres within a budget, else the durable queue (drained by a job). */
  callWriter: CallWriter;
  reattribution: CallReattribution;
  /** The call outbox, client webhooks and GA4 (docs/webhooks.md); tests call integrations.runNow(). */
  integrations: CallIntegrations;
  numberLifecycle: NumberLifecycle;
  reconciliation: NumberReconciliation;
  /** Deletes or anonymises what is past retention (the 'retention' job; tests call run(now)). */
  retention: RetentionJob;
  /** Prometheus metrics (GET /metrics, docs/operations.md): one registry per container. */
  metrics: Metrics;
  /** Scheduled work (node-cron); `start` is called by the server, never by tests. */
  jobs: { definitions: Record<string, JobDefinition>; start(): void };
  mode: string;
  close(): Promise<void>;
}

export interface ContainerOverrides {
  db?: Database;
  poolStore?: PoolStore;
  provider?: TelephonyProvider;
  clock?: Clock;
  /** The Redis behind an overridden pool store, for the durable call queue and job locks (the caller closes it). */
  redis?: Redis | Cluster;
  /** Where the rate limits count (default: the pool's Redis, else memory); tests point it at a Redis that is down. */
  rateLimitRedis?: Redis | Cluster;
}

export async function openDatabase(config: AppConfig): Promise<Database> {
  if (config.databaseUrl) return new PgDatabase({ connectionString: config.databaseUrl });
  return PgliteDatabase.open(`${config.embeddedDataDir}/pglite`);
}

/** The pool store and a way to release what it holds (the Redis connection belongs to us, not the store). */
export function openPoolStore(config: AppConfig): { store: PoolStore; redis?: Redis | Cluster; close(): Promise<void> } {
  const redis = connectPoolRedis(config);
  if (!redis) {
    const store = new MemoryPoolStore();
    return { store, close: () => store.close() };
  }
  const store = new RedisPoolStore(redis, config.redisKeyPrefix);
  return {
    store,
    redis,
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
  const opened = overrides.poolStore ? { store: overrides.poolStore, redis: overrides.redis, close: async () => undefined } : openPoolStore(config);
  const poolStore = opened.store;
  const clock = overrides.clock ?? systemClock;
  const personalData = new PersonalDataCipher(config.personalData.encryptionKeys, config.personalData.indexKey);
  const privacyRequests = new SqlPrivacyRequestStore(db);
  const subjectLimits = new SubjectLimits(() => privacyRequests.activeLimits(), personalData);
  // Restrictions and objections hold from the first request; a database not answering yet is retried by the refresh job.
  await subjectLimits.refresh().catch(() => undefined);
  const audit = new AuditLog(db);

  const stores = {
    clients: new SqlClientStore(db),
    sites: new SqlSiteStore(db, personalData),
    pools: new SqlPoolConfigStore(db),
    numbers: new SqlNumberStore(db),
    visits: new SqlVisitStore(db),
    calls: new SqlCallStore(db, personalData),
  };
  const provider = overrides.provider ?? createProvider(config, stores.numbers);
  const siteDirectory = new SiteDirectory(stores.sites, stores.pools);
  const numberDirectory = new NumberDirectory(stores.numbers);
  // Every route in memory before the first call, so a call is routed even if Postgres then fails.
  await numberDirectory.warm().catch((err) => log.warn('route table not loaded at start; routes are looked up one by one', { error: err }));
  const routesChanged = () => {
    siteDirectory.forgetAll();
    numberDirectory.invalidate();
  };
  const callWriter = new CallWriter(stores.calls, callQueue(config, opened.redis), config.callWriteBudgetMs, callWriteSealing(personalData));
  const recovery = new PoolRecovery(db, poolStore);
  const pageViews = new PageViewRecorder(new SqlPageViewStore(db), config.leaseFlushIntervalMs);
  const networkLookup = new IpLocationDbLookup();
  // Counted in the pool's Redis, so every instance shares one count; client addresses are keyed by the PII index key.
  const rateLimits = createRateLimits(config.rateLimits, { redis: overrides.rateLimitRedis ?? opened.redis, keyPrefix: config.redisKeyPrefix, pseudonymKey: config.personalData.indexKey });
  const services = {
    sites: new SiteService(stores.sites, stores.clients, (siteKey) => siteDirectory.forget(siteKey)),
    pools: new PoolService(stores.pools, stores.sites, stores.numbers, poolStore, provider, config.defaults, routesChanged, stores.clients),
    visits: new VisitService(siteDirectory, stores.visits, poolStore, numberDirectory, config.defaults.heartbeatSeconds, recovery, networkLookup, pageViews, personalData, subjectLimits, rateLimits.newVisits, new VisitIds(visitIdSecret(config))),
    calls: new CallService(numberDirectory, poolStore, callWriter, recovery, new CallWhisper(stores.calls, () => leaseHistory.flush()), subjectLimits),
  };
  const leaseHistory = new LeaseHistoryWriter(db, stores.pools, poolStore, config.leaseFlushIntervalMs, persistVisitNotes(stores.visits));
  const numberLifecycle = new NumberLifecycle(stores.numbers, stores.pools, poolStore, provider, config.quarantineDays, routesChanged);
  const reconciliation = new NumberReconciliation(stores.numbers, provider);
  const reattribution = new CallReattribution(db, () => new Date(clock.now()));
  const integrations = buildCallIntegrations({
    db,
    calls: stores.calls,
    cipher: personalData,
    clock,
    allowPrivateUrls: config.webhooks.allowPrivateUrls,
    otherTargets: [new Ga4Target(db, personalData, config.ga4Endpoint, clock)],
  });
  const retention = new RetentionJob(new SqlRetentionStore(db), stores.pools, poolStore, config.retention.batchSize, () => leaseHistory.flush());
  const metrics = new Metrics();
  countConnectionErrors(metrics, db, opened.redis);
  metrics.watchPools(new PoolStatsReader({ listPools: () => stores.pools.listAll(), poolStore, now: () => clock.now() }));
  metrics.watchCallQueue(callWriter.queue);
  // Single-instance jobs lock in the pool's Redis (shared by every instance), else in this process.
  const jobRuns = new SqlJobRunLog(db);
  const poolHealthStore = new SqlPoolHealthStore(db);
  const scheduler = new JobScheduler(opened.redis ? new RedisJobLock(opened.redis, config.redisKeyPrefix) : new MemoryJobLock(), metrics, { history: jobRuns });
  const jobDefinitions = backgroundJobs({
    clock,
    numberDirectory,
    callWriter,
    reattribution,
    integrations,
    poolStore,
    leaseHistory,
    lifecycle: numberLifecycle,
    reconciliation: provider.name === 'twilio' ? reconciliation : null,
    retention,
    retentionSchedule: config.retention.schedule,
    subjectLimits,
    db,
    jobRuns,
    poolHealthSampler: new PoolHealthSampler(stores.pools, poolStore, poolHealthStore),
    scheduleOverrides: config.jobScheduleOverrides,
  });
  const mode = `${db.kind === 'pglite' ? 'embedded Postgres (PGlite)' : 'PostgreSQL'} + ${poolStore.kind === 'memory' ? 'in-process pool' : 'Redis pool'}`;

  return {
    config,
    clock,
    db,
    poolStore,
    personalData,
    access: (() => {
      const keys = new SqlApiKeyStore(db);
      return { keys, authenticator: new ApiKeyAuthenticator(keys, hashApiKey(config.adminApiKey)), control: new AccessControl(new TenantResolver(db)) };
    })(),
    privacy: {
      service: new PrivacyService({
        db,
        requests: privacyRequests,
        data: new SqlSubjectDataStore(db, personalData),
        clients: stores.clients,
        pools: stores.pools,
        listSiteIds: async (clientId) => (await stores.sites.listByClient(clientId)).map((s) => s.id),
        poolStore,
        cipher: personalData,
        limits: subjectLimits,
        audit,
        flushPipelines: async () => {
          await Promise.all([leaseHistory.flush(), pageViews.flush()]);
          await callWriter.drain();
        },
      }),
      limits: subjectLimits,
      audit,
    },
    provider,
    stores,
    reports: { store: new SqlReportStore(db), exports: new SqlCallExportStore(db, personalData), journeys: new SqlCallJourneyStore(db) },
    services,
    poolHealth: new PoolHealthService(stores.pools, poolHealthStore, poolStore),
    rateLimits,
    consents: new ConsentService((siteKey) => services.visits.siteFor(siteKey), new SqlConsentStore(db)),
    siteDirectory,
    leaseHistory,
    pageViews,
    networkLookup,
    trackingScripts: new TrackingScripts(config.publicBaseUrl, config.defaults.heartbeatSeconds),
    numberDirectory,
    callWriter,
    reattribution,
    integrations,
    numberLifecycle,
    reconciliation,
    retention,
    metrics,
    jobs: {
      definitions: jobDefinitions,
      start() {
        scheduler.start(Object.values(jobDefinitions));
        // Calls queued before a restart (Postgres was down) are written straight away.
        void scheduler.runNow(jobDefinitions['call-queue-drain']);
        // Partitions for this month and the next ones, even if the daily run was missed.
        void scheduler.runNow(jobDefinitions['partition-maintenance']);
      },
    },
    mode,
    async close() {
      // Queued call writes stay queued (Redis stream or local file) for the next start to drain.
      await scheduler.stop();
      await pageViews.stop();
      await leaseHistory.stop();
      await opened.close();
      // A database handed in by the caller (tests) is the caller's to close.
      if (!overrides.db) await db.close();
    },
  };
}

/**
 * Where Postgres-bound call writes wait when Postgres does not answer: Redis (falling back to the
 * local file when Redis does not answer either), or only the local file in single-instance mode.
 */
function callQueue(config: AppConfig, redis: Redis | Cluster | undefined): CallQueue {
  const file = new FileCallQueue(config.callQueueDir);
  return redis ? new FallbackCallQueue(new RedisCallQueue(redis, config.redisKeyPrefix), file, config.callWriteBudgetMs) : file;
}

/** The webhooks every number we buy gets, and that reconciliation puts back when they drift. */
export function numberWebhooks(config: AppConfig): NumberWebhooks {
  return {
    voiceUrl: `${config.publicBaseUrl}${WEBHOOK_PATHS.voice}`,
    voiceMethod: 'POST',
    voiceFallbackUrl: config.telephony.voiceFallbackUrl ?? `${config.publicBaseUrl}${WEBHOOK_PATHS.fallback}`,
    voiceFallbackMethod: 'POST',
    statusCallback: `${config.publicBaseUrl}${WEBHOOK_PATHS.status}`,
    statusCallbackMethod: 'POST',
  };
}

function createProvider(config: AppConfig, numbers: SqlNumberStore): TelephonyProvider {
  if (config.telephony.provider === 'twilio') {
    return new TwilioProvider({ accountSid: config.telephony.accountSid as string, authToken: config.telephony.authToken, webhooks: numberWebhooks(config) });
  }
  return new SimulatedProvider((e164s) => numbers.findExisting(e164s), numberWebhooks(config));
}

/** The key of visit-id tags, derived from the index key so it needs no setting of its own (and is the same on every instance). */
function visitIdSecret(config: AppConfig): Buffer {
  return Buffer.from(hkdfSync('sha256', config.personalData.indexKey, Buffer.alloc(0), 'call-tracking visit-id tag v1', 32));
}
