import { parseArgs } from 'node:util';

export interface LoadOptions {
  /** Seconds of traffic (the timed phase); the calls still in progress are then finished, untimed. */
  durationSeconds: number;
  /** Service processes sharing one database and one Redis key prefix. */
  instances: number;
  /** Requests in flight at once, over all instances (a closed loop, like autocannon's connections). */
  connections: number;
  /** Numbers in the site's pool. */
  poolSize: number;
  /** Seeds the traffic's choices (which request, which visit, which instance, call timings). */
  seed: number;
  /** Requests per second at most; unset = as fast as the closed loop goes. */
  rate?: number;
  /** Seconds between progress lines. */
  progressSeconds: number;
  /** The Postgres server on which the private `ct_load_<random>` database is created and dropped. */
  postgresUrl: string;
  redisUrl: string;
}

const USAGE = `npm run load -- [--duration 60] [--instances 2] [--connections 32] [--pool-size 1000] [--seed N]
                     [--rate REQ_PER_S] [--progress S] [--postgres-url URL] [--redis-url URL]
Environment: LOAD_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres), REDIS_URL.`;

/** The simulated carrier's UK numbers (scripts/bench/arrange.ts): a pool cannot be larger. */
const MAX_POOL_SIZE = 12_000;

function positiveInt(name: string, raw: string | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0 || n > max) throw new Error(`--${name} must be an integer from 1 to ${max}, got ${JSON.stringify(raw)}\n${USAGE}`);
  return n;
}

/** Flags win over environment variables; every option has a default that runs on a developer machine. */
export function readOptions(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): LoadOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      instances: { type: 'string' },
      connections: { type: 'string' },
      'pool-size': { type: 'string' },
      seed: { type: 'string' },
      rate: { type: 'string' },
      progress: { type: 'string' },
      'postgres-url': { type: 'string' },
      'redis-url': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const durationSeconds = positiveInt('duration', values.duration, 60);
  return {
    durationSeconds,
    instances: positiveInt('instances', values.instances, 2, 8),
    connections: positiveInt('connections', values.connections, 32, 1000),
    poolSize: positiveInt('pool-size', values['pool-size'], 1000, MAX_POOL_SIZE),
    seed: positiveInt('seed', values.seed, Math.floor(Math.random() * 2 ** 31)),
    rate: values.rate === undefined ? undefined : positiveInt('rate', values.rate, 1),
    progressSeconds: positiveInt('progress', values.progress, Math.min(30, Math.max(5, Math.round(durationSeconds / 6)))),
    postgresUrl: values['postgres-url'] ?? env.LOAD_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: values['redis-url'] ?? (env.REDIS_URL || 'redis://127.0.0.1:6379'),
  };
}
