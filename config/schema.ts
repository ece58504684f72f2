import { z } from 'zod';

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

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_BASE_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  DATABASE_URL: optionalString.pipe(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional()),
  EMBEDDED_DATA_DIR: z.string().default('./data'),
  REDIS_URL: optionalString.pipe(z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional()),
  REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]*$/).default('ct:'),
  TELEPHONY_PROVIDER: z.enum(['simulated', 'twilio']).optional(),
  TWILIO_ACCOUNT_SID: optionalString.pipe(z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC followed by 32 hex digits').optional()),
  TWILIO_AUTH_TOKEN: optionalString,
  ADMIN_API_KEY: optionalString.pipe(z.string().min(24, 'must be at least 24 characters').optional()),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly', 'silent']).default('info'),
  SEED_DEMO: booleanFlag,
  DEFAULT_LEASE_SECONDS: z.coerce.number().int().min(30).max(86_400).default(1800),
  DEFAULT_GRACE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(900),
  HEARTBEAT_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  LEASE_FLUSH_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
});

export type RawEnv = z.infer<typeof envSchema>;
