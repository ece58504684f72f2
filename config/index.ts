import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { BlockList } from 'node:net';
import { z } from 'zod';
import cron from 'node-cron';
import { envSchema, type RawEnv } from './schema';

export type TelephonyProviderName = 'simulated' | 'twilio';

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  publicBaseUrl: string;
  /** undefined = embedded PGlite in `embeddedDataDir`. */
  databaseUrl?: string;
  embeddedDataDir: string;
  /** undefined (and no redisClusterNodes) = in-process number pool (single instance only). */
  redisUrl?: string;
  /** Startup nodes of a Redis Cluster holding the pool, instead of redisUrl (REDIS_CLUSTER_NODES). */
  redisClusterNodes?: { host: string; port: number }[];
  redisKeyPrefix: string;
  telephony: {
    provider: TelephonyProviderName;
    accountSid?: string;
    authToken: string;
    /** Secret of a Twilio SharedKey: webhooks signed with it (HMAC-SHA256) are accepted too. */
    webhookSharedKey?: string;
    /** The Voice Fallback URL set on bought numbers; default: our own /webhooks/twilio/fallback. */
    voiceFallbackUrl?: string;
  };
  adminApiKey: string;
  /** Where a generated admin key was saved (embedded mode only), so the README can point at it. */
  adminApiKeyFile?: string;
  logLevel: string;
  seedDemo: boolean;
  defaults: { leaseSeconds: number; graceSeconds: number; heartbeatSeconds: number };
  leaseFlushIntervalMs: number;
  shutdownTimeoutMs: number;
  /** How long a released number keeps forwarding calls before it is given back to the carrier. */
  quarantineDays: number;
  /** How long the call webhooks wait for Postgres before the write goes to the durable queue. */
  callWriteBudgetMs: number;
  /** The local file queue used when neither Postgres nor Redis takes a call record. */
  callQueueDir: string;
  personalData: PersonalDataKeys;
  retention: { schedule: string; batchSize: number };
  /** Schedules replacing the built-in ones, by job name (JOB_SCHEDULE_OVERRIDES); undefined = none. */
  jobScheduleOverrides?: Record<string, string>;
  /** Limits on the public tracking endpoints (docs/security.md). */
  rateLimits: RateLimitSettings;
  /** Bearer token for GET /metrics on the main port; unset = no /metrics there (docs/operations.md). */
  metricsToken?: string;
  /** A second listener (on HOST) serving GET /metrics without authentication, for a private network. */
  metricsPort?: number;
  /** Where GA4 Measurement Protocol events go (GA4_ENDPOINT): Google's, its EU endpoint, or a test receiver. */
  ga4Endpoint: string;
  /**
   * Client webhooks (docs/webhooks.md). allowPrivateUrls: URLs may point at loopback and private
   * addresses; off in production (SSRF) unless WEBHOOK_ALLOW_PRIVATE_URLS=true, on elsewhere unless =false.
   */
  webhooks: { allowPrivateUrls: boolean };
}

export interface RateLimitSettings {
  /** Requests to /t/... one client address (an IPv6 /64) may make per minute. */
  ipPerMinute: number;
  /** Requests to /t/... one site may receive per minute, from all addresses together. */
  sitePerMinute: number;
  /** New visits (each would lease a number) one address may start on one site per window; more are shown the site's own number. */
  newVisitsPerIp: number;
  newVisitsWindowSeconds: number;
  /** Addresses and ranges exempt from all three limits (a load generator, a monitor). */
  allowlist: BlockList;
}

/**
 * Keys protecting personal data at rest: AES-256-GCM keys (the first encrypts, all decrypt, so keys can
 * rotate) and the HMAC key of the lookup index (caller numbers, visitor ids).
 */
export interface PersonalDataKeys {
  encryptionKeys: { id: string; key: Buffer }[];
  indexKey: Buffer;
  /** Where generated keys were saved (embedded mode only). */
  keyFile?: string;
}

export class ConfigError extends Error {}

/** Signing secret for the simulated carrier when no Twilio token is configured (offline demo only). */
export const SIMULATED_AUTH_TOKEN = 'simulated-carrier-auth-token';

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`).join('; ');
}

/** Parses and validates the environment once. Throws ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(`Invalid configuration: ${describeIssues(parsed.error)}`);
  const e = parsed.data;

  const provider = e.TELEPHONY_PROVIDER ?? (e.TWILIO_ACCOUNT_SID && e.TWILIO_AUTH_TOKEN ? 'twilio' : 'simulated');
  if (provider === 'twilio' && (!e.TWILIO_ACCOUNT_SID || !e.TWILIO_AUTH_TOKEN)) {
    throw new ConfigError('Invalid configuration: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are required when TELEPHONY_PROVIDER=twilio');
  }
  if (e.REDIS_URL && e.REDIS_CLUSTER_NODES) {
    throw new ConfigError('Invalid configuration: set either REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a Redis Cluster), not both');
  }
  const embedded = !e.DATABASE_URL;
  const dataDir = path.resolve(e.EMBEDDED_DATA_DIR);

  let adminApiKey = e.ADMIN_API_KEY;
  let adminApiKeyFile: string | undefined;
  if (!adminApiKey) {
    if (!embedded || e.NODE_ENV === 'production') {
      throw new ConfigError('Invalid configuration: ADMIN_API_KEY is required with DATABASE_URL or NODE_ENV=production');
    }
    adminApiKeyFile = path.join(dataDir, 'admin-api-key');
    adminApiKey = readOrCreateKeyFile(adminApiKeyFile);
  }

  if (e.METRICS_PORT === e.PORT) throw new ConfigError('Invalid configuration: METRICS_PORT must differ from PORT (the metrics listener has no authentication)');
  if (!cron.validate(e.RETENTION_SCHEDULE)) throw new ConfigError(`Invalid configuration: RETENTION_SCHEDULE: ${JSON.stringify(e.RETENTION_SCHEDULE)} is not a cron expression`);

  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    databaseUrl: e.DATABASE_URL,
    embeddedDataDir: dataDir,
    redisUrl: e.REDIS_URL,
    redisClusterNodes: e.REDIS_CLUSTER_NODES,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    telephony: {
      provider,
      accountSid: e.TWILIO_ACCOUNT_SID,
      authToken: e.TWILIO_AUTH_TOKEN ?? SIMULATED_AUTH_TOKEN,
      webhookSharedKey: e.TWILIO_WEBHOOK_SHARED_KEY,
      voiceFallbackUrl: e.TWILIO_VOICE_FALLBACK_URL,
    },
    adminApiKey,
    adminApiKeyFile,
    logLevel: e.LOG_LEVEL,
    seedDemo: e.SEED_DEMO ?? embedded,
    defaults: { leaseSeconds: e.DEFAULT_LEASE_SECONDS, graceSeconds: e.DEFAULT_GRACE_SECONDS, heartbeatSeconds: e.HEARTBEAT_SECONDS },
    leaseFlushIntervalMs: e.LEASE_FLUSH_INTERVAL_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    quarantineDays: e.QUARANTINE_DAYS,
    callWriteBudgetMs: e.CALL_WRITE_BUDGET_MS,
    callQueueDir: e.CALL_QUEUE_DIR ? path.resolve(e.CALL_QUEUE_DIR) : path.join(dataDir, 'call-queue'),
    personalData: personalDataKeys(e, embedded, dataDir),
    retention: { schedule: e.RETENTION_SCHEDULE, batchSize: e.RETENTION_BATCH_SIZE },
    jobScheduleOverrides: e.JOB_SCHEDULE_OVERRIDES,
    rateLimits: {
      ipPerMinute: e.RATE_LIMIT_IP_PER_MINUTE,
      sitePerMinute: e.RATE_LIMIT_SITE_PER_MINUTE,
      newVisitsPerIp: e.RATE_LIMIT_NEW_VISITS_PER_IP,
      newVisitsWindowSeconds: e.RATE_LIMIT_NEW_VISITS_WINDOW_SECONDS,
      allowlist: e.RATE_LIMIT_ALLOWLIST ?? new BlockList(),
    },
    metricsToken: e.METRICS_TOKEN,
    metricsPort: e.METRICS_PORT,
    ga4Endpoint: e.GA4_ENDPOINT ?? 'https://www.google-analytics.com/mp/collect',
    webhooks: { allowPrivateUrls: e.WEBHOOK_ALLOW_PRIVATE_URLS ?? e.NODE_ENV !== 'production' },
  };
}

/**
 * Encryption and index keys: from the environment; required with a real database or in production
 * (data encrypted with a key nobody kept is lost). Embedded mode generates them once into the data
 * folder; tests without keys get throwaway ones and write nothing.
 */
function personalDataKeys(e: RawEnv, embedded: boolean, dataDir: string): PersonalDataKeys {
  if (e.PII_ENCRYPTION_KEYS && e.PII_INDEX_KEY) return { encryptionKeys: e.PII_ENCRYPTION_KEYS, indexKey: e.PII_INDEX_KEY };
  if (e.PII_ENCRYPTION_KEYS || e.PII_INDEX_KEY) throw new ConfigError('Invalid configuration: set both PII_ENCRYPTION_KEYS and PII_INDEX_KEY, or neither (embedded mode only)');
  if (!embedded || e.NODE_ENV === 'production') {
    throw new ConfigError('Invalid configuration: PII_ENCRYPTION_KEYS and PII_INDEX_KEY are required with DATABASE_URL or NODE_ENV=production (see .env.example)');
  }
  if (e.NODE_ENV === 'test') return { encryptionKeys: [{ id: 'test', key: randomBytes(32) }], indexKey: randomBytes(32) };
  const keyFile = path.join(dataDir, 'personal-data-keys.json');
  if (existsSync(keyFile)) {
    const saved = JSON.parse(readFileSync(keyFile, 'utf8')) as { encryptionKey?: string; keyId?: string; indexKey?: string };
    const key = Buffer.from(saved.encryptionKey ?? '', 'base64');
    const indexKey = Buffer.from(saved.indexKey ?? '', 'base64');
    if (key.length !== 32 || indexKey.length !== 32 || !saved.keyId) throw new ConfigError(`Invalid configuration: ${keyFile} is damaged; restore it (without it the stored caller numbers and IPs cannot be read)`);
    return { encryptionKeys: [{ id: saved.keyId, key }], indexKey, keyFile };
  }
  mkdirSync(dataDir, { recursive: true });
  const generated = { keyId: 'local1', encryptionKey: randomBytes(32).toString('base64'), indexKey: randomBytes(32).toString('base64') };
  writeFileSync(keyFile, `${JSON.stringify(generated, null, 2)}\n`, { mode: 0o600 });
  return { encryptionKeys: [{ id: generated.keyId, key: Buffer.from(generated.encryptionKey, 'base64') }], indexKey: Buffer.from(generated.indexKey, 'base64'), keyFile };
}

/** A fresh clone has no key: make one, keep it readable only by the owner, reuse it on later starts. */
function readOrCreateKeyFile(file: string): string {
  if (existsSync(file)) {
    const saved = readFileSync(file, 'utf8').trim();
    // An empty or truncated file would leave a key no request can match (or a guessable one).
    if (saved.length < 24) throw new ConfigError(`Invalid configuration: ${file} holds no usable admin key; delete it to generate a new one, or set ADMIN_API_KEY`);
    return saved;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const key = `ctk_admin_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
