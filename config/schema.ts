import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import cron from 'node-cron';

/**
 * Every environment variable the service reads, with its default. `.env.example` documents the same list;
 * nothing outside config/ reads process.env.
 */
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : ['true', '1', 'yes'].includes(v)));

/** An integer setting; set-but-empty (`PORT=` in a compose file) means "use the default", never 0. */
const integer = (min: number, max: number, fallback: number) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.coerce.number().int().min(min).max(max).default(fallback));

/** One `host:port` entry of a list; an IPv6 host is written in brackets (`[::1]:7000`). */
const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/;

/** `host:port,host:port`: every entry must parse, none may be empty, ports are 1-65535. */
const hostPortList = z.string().transform((value, ctx) => {
  const nodes: { host: string; port: number }[] = [];
  for (const entry of value.split(',').map((e) => e.trim())) {
    const match = HOST_PORT.exec(entry);
    const port = Number(match?.[3]);
    if (!match || port < 1 || port > 65_535) {
      ctx.issues.push({ code: 'custom', input: value, message: `${JSON.stringify(entry)} is not host:port (expected e.g. 10.0.0.1:6379,10.0.0.2:6379)` });
      return z.NEVER;
    }
    nodes.push({ host: match[1] ?? match[2], port });
  }
  return nodes;
});

/** A secret given as base64 (standard or url-safe) that must decode to exactly `bytes` bytes. */
const base64Key = (bytes: number) =>
  z.string().transform((value, ctx) => {
    const key = Buffer.from(value.trim(), 'base64');
    if (key.length !== bytes || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(value.trim())) {
      ctx.issues.push({ code: 'custom', input: value, message: `must be ${bytes} random bytes in base64 (e.g. openssl rand -base64 ${bytes})` });
      return z.NEVER;
    }
    return key;
  });

/** `keyId:base64key,keyId:base64key`: the first key encrypts new data, every key listed still decrypts. */
const personalDataKeyList = z.string().transform((value, ctx) => {
  const keys: { id: string; key: Buffer }[] = [];
  for (const entry of value.split(',').map((e) => e.trim())) {
    const [id, secret, extra] = entry.split(':');
    const key = secret === undefined ? undefined : Buffer.from(secret, 'base64');
    if (extra !== undefined || !id || !/^[A-Za-z0-9_-]{1,16}$/.test(id) || !key || key.length !== 32) {
      ctx.issues.push({ code: 'custom', input: '(redacted)', message: 'each entry must be keyId:base64 of 32 random bytes (key id: 1-16 letters, digits, _ or -), e.g. k2026:$(openssl rand -base64 32)' });
      return z.NEVER;
    }
    if (keys.some((k) => k.id === id)) {
      ctx.issues.push({ code: 'custom', input: '(redacted)', message: `key id ${id} is listed twice` });
      return z.NEVER;
    }
    keys.push({ id, key });
  }
  return keys;
});

/**
 * `address,address/prefix,...` (IPv4 and IPv6, e.g. 127.0.0.1/8,203.0.113.7,2001:db8::/32): the sources
 * exempt from the public endpoints' rate limits. Every entry must parse; none may be empty.
 */
const ipAllowlist = z.string().transform((value, ctx) => {
  const list = new BlockList();
  for (const entry of value.split(',').map((e) => e.trim())) {
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = family === 6 ? 128 : 32;
    const length = prefix === undefined ? bits : /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
    if (family === 0 || extra !== undefined || !(length >= 0 && length <= bits)) {
      ctx.issues.push({ code: 'custom', input: value, message: `${JSON.stringify(entry)} is not an IP address or CIDR range (expected e.g. 127.0.0.1/8,203.0.113.7,2001:db8::/32)` });
      return z.NEVER;
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, length, type);
  }
  return list;
});

/**
 * `job=cron;job=cron` (e.g. `retention=*\/2 * * * * *;reattribution=0 * * * * *`): schedules that replace
 * the built-in ones of the named jobs. Entries are split on `;` (cron expressions hold spaces and commas);
 * each must be a name and a valid cron expression. Job names are checked against the jobs at start.
 */
const jobScheduleOverrides = z.string().transform((value, ctx) => {
  const overrides: Record<string, string> = {};
  for (const entry of value.split(';').map((e) => e.trim()).filter(Boolean)) {
    const at = entry.indexOf('=');
    const name = entry.slice(0, at).trim();
    const schedule = entry.slice(at + 1).trim();
    if (at < 1 || !/^[a-z][a-z0-9-]*$/.test(name) || !cron.validate(schedule)) {
      ctx.issues.push({ code: 'custom', input: value, message: `${JSON.stringify(entry)} is not job=cron (expected e.g. retention=0 */5 * * * *)` });
      return z.NEVER;
    }
    overrides[name] = schedule;
  }
  return overrides;
});

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: integer(0, 65535, 3000),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_BASE_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  DATABASE_URL: optionalString.pipe(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional()),
  EMBEDDED_DATA_DIR: z.string().default('./data'),
  REDIS_URL: optionalString.pipe(z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional()),
  REDIS_CLUSTER_NODES: optionalString.pipe(hostPortList.optional()),
  REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]*$/).default('ct:'),
  TELEPHONY_PROVIDER: z.enum(['simulated', 'twilio']).optional(),
  TWILIO_ACCOUNT_SID: optionalString.pipe(z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC followed by 32 hex digits').optional()),
  TWILIO_AUTH_TOKEN: optionalString,
  TWILIO_WEBHOOK_SHARED_KEY: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  TWILIO_VOICE_FALLBACK_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  ADMIN_API_KEY: optionalString.pipe(z.string().min(24, 'must be at least 24 characters').optional()),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly', 'silent']).default('info'),
  SEED_DEMO: booleanFlag,
  DEFAULT_LEASE_SECONDS: integer(30, 86_400, 1800),
  DEFAULT_GRACE_SECONDS: integer(0, 86_400, 900),
  HEARTBEAT_SECONDS: integer(1, 3600, 60),
  LEASE_FLUSH_INTERVAL_MS: integer(50, 60_000, 1000),
  SHUTDOWN_TIMEOUT_MS: integer(100, 120_000, 10_000),
  QUARANTINE_DAYS: integer(0, 365, 30),
  CALL_WRITE_BUDGET_MS: integer(50, 5000, 400),
  CALL_QUEUE_DIR: optionalString,
  PII_ENCRYPTION_KEYS: optionalString.pipe(personalDataKeyList.optional()),
  PII_INDEX_KEY: optionalString.pipe(base64Key(32).optional()),
  RETENTION_SCHEDULE: z.string().default('0 17 3 * * *'),
  RETENTION_BATCH_SIZE: integer(10, 100_000, 1000),
  JOB_SCHEDULE_OVERRIDES: optionalString.pipe(jobScheduleOverrides.optional()),
  RATE_LIMIT_IP_PER_MINUTE: integer(1, 10_000_000, 300),
  RATE_LIMIT_SITE_PER_MINUTE: integer(1, 100_000_000, 30_000),
  RATE_LIMIT_NEW_VISITS_PER_IP: integer(1, 10_000_000, 20),
  RATE_LIMIT_NEW_VISITS_WINDOW_SECONDS: integer(1, 86_400, 600),
  RATE_LIMIT_ALLOWLIST: optionalString.pipe(ipAllowlist.optional()),
  METRICS_TOKEN: optionalString.pipe(z.string().min(24, 'must be at least 24 characters').optional()),
  METRICS_PORT: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.coerce.number().int().min(1).max(65535).optional()),
  GA4_ENDPOINT: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  WEBHOOK_ALLOW_PRIVATE_URLS: booleanFlag,
});

export type RawEnv = z.infer<typeof envSchema>;
