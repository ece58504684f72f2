import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { freePort, startChild, type ChildServer } from './processes';

/** dist/, where the compiled service and bare route live (this file runs as dist/scripts/bench/servers.js). */
const distDir = path.resolve(__dirname, '..', '..');

export interface ServiceSettings {
  databaseUrl: string;
  redisUrl: string;
  redisKeyPrefix: string;
  adminApiKey: string;
  twilioAuthToken: string;
  cpuProfDir?: string;
  /** Instances sharing one database must share these; default: throwaway keys of this instance's own. */
  personalDataKeys?: PersonalDataKeys;
  /** What Twilio is told to call (instances behind one load balancer share it); default: the instance's own address. */
  publicBaseUrl?: string;
  /** More variables, or overrides (CALL_QUEUE_DIR per instance, rate limits). */
  env?: Record<string, string>;
  name?: string;
  stopTimeoutMs?: number;
}

export interface PersonalDataKeys {
  PII_ENCRYPTION_KEYS: string;
  PII_INDEX_KEY: string;
}

/** Throwaway keys: the bench's and the load test's data are dropped at the end. */
export const throwawayPersonalDataKeys = (): PersonalDataKeys => ({
  PII_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
  PII_INDEX_KEY: randomBytes(32).toString('base64'),
});

/** The real service, configured only through its environment, on loopback, as production runs it. */
export async function startService(s: ServiceSettings): Promise<ChildServer> {
  const port = await freePort();
  return startChild({
    name: s.name ?? 'service',
    script: path.join(distDir, 'src/server.js'),
    nodeArgs: s.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(s.cpuProfDir)] : [],
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: s.publicBaseUrl ?? `http://127.0.0.1:${port}`,
      DATABASE_URL: s.databaseUrl,
      REDIS_URL: s.redisUrl,
      REDIS_KEY_PREFIX: s.redisKeyPrefix,
      ADMIN_API_KEY: s.adminApiKey,
      ...(s.personalDataKeys ?? throwawayPersonalDataKeys()),
      TWILIO_AUTH_TOKEN: s.twilioAuthToken,
      TELEPHONY_PROVIDER: 'simulated',
      LOG_LEVEL: 'error',
      SEED_DEMO: 'false',
      // The load generator is one loopback address making thousands of visits: exempt it from the public
      // endpoints' rate limits and new-visit quota (docs/security.md), or most of its visits would be refused.
      RATE_LIMIT_ALLOWLIST: '127.0.0.1/8',
      ...s.env,
    },
    port,
    stopTimeoutMs: s.stopTimeoutMs,
    isReady: async (base) => (await fetch(`${base}/readyz`)).ok,
  });
}

export async function startBare(): Promise<ChildServer> {
  const port = await freePort();
  return startChild({
    name: 'bare Express route',
    script: path.join(distDir, 'scripts/bench/bare-server.js'),
    args: [String(port)],
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production' },
    port,
    // Any HTTP answer means it listens (GET /bare is a 404).
    isReady: async (base) => (await fetch(`${base}/bare`)).status > 0,
  });
}
