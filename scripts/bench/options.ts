import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Seconds of load per scenario and round. */
  durationSeconds: number;
  rounds: number;
  connections: number;
  /** Seconds of unmeasured load per scenario before the first round (JIT, caches, connection pools). */
  warmupSeconds: number;
  /** Visits leased into the big pool to measure Redis memory per live lease. */
  memoryLeases: number;
  /** A database to use as it is (never dropped); unset = a private database on `postgresUrl`. */
  databaseUrl?: string;
  /** The Postgres server on which the private `ct_bench_<random>` database is created and dropped. */
  postgresUrl: string;
  redisUrl: string;
  /** When set, the service runs with --cpu-prof and writes its profile here on exit. */
  cpuProfDir?: string;
}

const USAGE = `npm run bench -- [--duration 8] [--rounds 3] [--connections 50] [--warmup 2] [--memory-leases 5000]
                      [--database-url URL] [--postgres-url URL] [--redis-url URL] [--cpu-prof DIR]
Environment: BENCH_DURATION, BENCH_ROUNDS, BENCH_CONNECTIONS, DATABASE_URL, BENCH_POSTGRES_URL, REDIS_URL.`;

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(raw)}\n${USAGE}`);
  return n;
}

/** Flags win over environment variables; every option has a default that runs on a developer machine. */
export function readOptions(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      rounds: { type: 'string' },
      connections: { type: 'string' },
      warmup: { type: 'string' },
      'memory-leases': { type: 'string' },
      'database-url': { type: 'string' },
      'postgres-url': { type: 'string' },
      'redis-url': { type: 'string' },
      'cpu-prof': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  return {
    durationSeconds: positiveInt('duration', values.duration ?? env.BENCH_DURATION, 8),
    rounds: positiveInt('rounds', values.rounds ?? env.BENCH_ROUNDS, 3),
    connections: positiveInt('connections', values.connections ?? env.BENCH_CONNECTIONS, 50),
    warmupSeconds: positiveInt('warmup', values.warmup, 2),
    memoryLeases: positiveInt('memory-leases', values['memory-leases'], 5000),
    databaseUrl: values['database-url'] ?? (env.DATABASE_URL || undefined),
    postgresUrl: values['postgres-url'] ?? env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: values['redis-url'] ?? (env.REDIS_URL || 'redis://127.0.0.1:6379'),
    cpuProfDir: values['cpu-prof'],
  };
}
