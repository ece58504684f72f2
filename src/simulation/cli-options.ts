import { parseArgs } from 'node:util';
import { isPolicyVariant, VARIANT_NAMES, type PolicyVariant } from './policy-variants';
import { DEFAULT_POLICY, DEFAULT_TRAFFIC, type PoolPolicy, type TrafficSettings } from './simulation-settings';

const MINUTE_MS = 60_000;

export interface SimulateOptions {
  seed: number;
  days: number;
  traffic: TrafficSettings;
  policy: PoolPolicy;
  variants: PolicyVariant[];
  /** Explicit pool sizes; unset = around the advisor's size. */
  poolSizes?: number[];
  /** Lease lengths (minutes) compared at their own advisor size; empty = skip. */
  leaseSweep: number[];
  outDir: string;
  /** Set with --redis: confirm the default policy at the advisor's size on this Redis. */
  redisUrl?: string;
  redisDays: number;
}

export const USAGE = `npm run simulate -- [--seed 1] [--days 1] [--peak 2000] [--call-share 0.05]
                         [--lease-minutes 30] [--grace-minutes 15] [--cooldown-minutes 15]
                         [--pool-sizes 1200,1500,1732] [--policies ${VARIANT_NAMES.join(',')}]
                         [--lease-sweep 10,20,30,60 | --lease-sweep none] [--out simulation-output]
                         [--redis [--redis-url URL] [--redis-days 1]]
Environment: REDIS_URL (with --redis; the flag wins).`;

/** Flags win over the environment; every option has a default that runs from a fresh clone. */
export function readSimulateOptions(argv: readonly string[], env: NodeJS.ProcessEnv): SimulateOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      seed: { type: 'string' },
      days: { type: 'string' },
      peak: { type: 'string' },
      'call-share': { type: 'string' },
      'lease-minutes': { type: 'string' },
      'grace-minutes': { type: 'string' },
      'cooldown-minutes': { type: 'string' },
      'pool-sizes': { type: 'string' },
      policies: { type: 'string' },
      'lease-sweep': { type: 'string' },
      out: { type: 'string' },
      redis: { type: 'boolean' },
      'redis-url': { type: 'string' },
      'redis-days': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  const days = number('days', values.days, 1, { min: 0, exclusiveMin: true, max: 366 });
  const grace = number('grace-minutes', values['grace-minutes'], DEFAULT_POLICY.graceMs / MINUTE_MS, { min: 0 });
  return {
    seed: integer('seed', values.seed, 1, 0),
    days,
    traffic: {
      ...DEFAULT_TRAFFIC,
      peakVisitsPerHour: number('peak', values.peak, DEFAULT_TRAFFIC.peakVisitsPerHour, { min: 0, exclusiveMin: true }),
      callShare: number('call-share', values['call-share'], DEFAULT_TRAFFIC.callShare, { min: 0, max: 1 }),
    },
    policy: {
      ...DEFAULT_POLICY,
      leaseMs: number('lease-minutes', values['lease-minutes'], DEFAULT_POLICY.leaseMs / MINUTE_MS, { min: 1 }) * MINUTE_MS,
      graceMs: grace * MINUTE_MS,
      // As the service does: the cool-down follows the grace window unless set.
      cooldownMs: number('cooldown-minutes', values['cooldown-minutes'], grace, { min: 0 }) * MINUTE_MS,
    },
    variants: variantList(values.policies),
    poolSizes: values['pool-sizes'] === undefined ? undefined : list('pool-sizes', values['pool-sizes']).map((v) => integer('pool-sizes', v, 0, 1)),
    leaseSweep: values['lease-sweep'] === 'none' ? [] : list('lease-sweep', values['lease-sweep'] ?? '10,20,30,60').map((v) => number('lease-sweep', v, 0, { min: 1 })),
    outDir: values.out ?? 'simulation-output',
    redisUrl: values.redis ? (values['redis-url'] ?? (env.REDIS_URL || 'redis://127.0.0.1:6379')) : undefined,
    redisDays: number('redis-days', values['redis-days'], Math.min(days, 1), { min: 0, exclusiveMin: true, max: 366 }),
  };
}

function variantList(raw: string | undefined): PolicyVariant[] {
  if (raw === undefined) return [...VARIANT_NAMES];
  const names = list('policies', raw);
  const unknown = names.filter((n) => !isPolicyVariant(n));
  if (unknown.length) throw new Error(`--policies takes a list of ${VARIANT_NAMES.join(', ')}; unknown: ${unknown.join(', ')}\n${USAGE}`);
  return names as PolicyVariant[];
}

function list(name: string, raw: string): string[] {
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new Error(`--${name} needs at least one value\n${USAGE}`);
  return items;
}

function number(name: string, raw: string | undefined, fallback: number, range: { min?: number; exclusiveMin?: boolean; max?: number }): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  const tooLow = range.min !== undefined && (range.exclusiveMin ? n <= range.min : n < range.min);
  const tooHigh = range.max !== undefined && n > range.max;
  if (!Number.isFinite(n) || tooLow || tooHigh) {
    const bounds = `${range.min ?? '-inf'}${range.exclusiveMin ? ' (exclusive)' : ''} to ${range.max ?? 'inf'}`;
    throw new Error(`--${name} must be a number from ${bounds}, got ${JSON.stringify(raw)}\n${USAGE}`);
  }
  return n;
}

function integer(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}\n${USAGE}`);
  return n;
}
