import { parseArgs } from 'node:util';
import { SERVICE_SCENARIOS, type ServiceScenario } from './scenarios';

export interface BenchOptions {
  /** Seconds of load per scenario and round. */
  durationSeconds: number;
  rounds: number;
  connections: number;
  /** Seconds of unmeasured load per scenario before the first round (JIT, caches, connection pools). */
  warmupSeconds: number;
  /** Visits leased into the big pool to measure Redis memory per live lease (at most 10,000). */
  memoryLeases: number;
  /** A database to use as it is (never dropped); unset = a private database on `postgresUrl`. */
  databaseUrl?: string;
  /** The Postgres server on which the private `ct_bench_<random>` database is created and dropped. */
  postgresUrl: string;
  redisUrl: string;
  /** When set, the service runs with --cpu-prof and writes its profile here on exit. */
  cpuProfDir?: string;
  /** The service scenarios to run (the bare route always runs: it is the yardstick). */
  scenarios: ServiceScenario[];
}


const USAGE = `npm run bench -- [--duration 8] [--rounds 3] [--connections 50] [--warmup 2] [--memory-leases 5000]
                      [--database-url URL] [--postgres-url URL] [--redis-url URL] [--cpu-prof DIR]
                      [--scenarios ${SERVICE_SCENARIOS.join(',')}]
Environment: BENCH_DURATION, BENCH_ROUNDS, BENCH_CONNECTIONS, DATABASE_URL, BENCH_POSTGRES_URL, REDIS_URL.`;

/** Memory is measured on new leases into the pool of 10,000, so at most that many. */
const MAX_MEMORY_LEASES = 10_000;

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(raw)}\n${USAGE}`);
  return n;
}

function scenarioList(raw: string | undefined): ServiceScenario[] {
  if (raw === undefined) return [...SERVICE_SCENARIOS];
  const names = raw.split(',').map((n) => n.trim());
  const unknown = names.filter((n) => !(SERVICE_SCENARIOS as readonly string[]).includes(n));
  if (unknown.length || names.length === 0) throw new Error(`--scenarios takes a list of ${SERVICE_SCENARIOS.join(', ')}; unknown: ${unknown.join(', ')}\n${USAGE}`);
  return names as ServiceScenario[];
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
      scenarios: { type: 'string' },
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
    memoryLeases: Math.min(positiveInt('memory-leases', values['memory-leases'], 5000), MAX_MEMORY_LEASES),
    databaseUrl: values['database-url'] ?? (env.DATABASE_URL || undefined),
    postgresUrl: values['postgres-url'] ?? env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: values['redis-url'] ?? (env.REDIS_URL || 'redis://127.0.0.1:6379'),
    cpuProfDir: values['cpu-prof'],
    scenarios: scenarioList(values.scenarios),
  };
}
