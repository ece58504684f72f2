import { erlangB, offeredTrafficErlangs, recommendedPoolSize } from '../domain/erlang-b';
import { formatPercent } from './blocking-target';
import type { ExhaustionEvent } from './health-samples';

/**
 * How many numbers a pool needs, from what it was asked for in a window: the pool is an Erlang loss
 * system (docs/pool-health.md). Offered traffic is measured, not configured: every request for a number
 * (granted or not) is an arrival, and a number is held from its grant to the end of its lease, plus
 * the cool-down before it is handed out again.
 */

export const HOUR_MS = 3_600_000;

export interface HourlyCount {
  /** The start of a clock hour (UTC), epoch ms. */
  hourStart: number;
  count: number;
}

export interface SizingInput {
  from: number;
  to: number;
  /** Leases granted in the window, by the hour they started. */
  grantsByHour: readonly HourlyCount[];
  /**
   * Grants that took the number of a displaced visit ('recycle' pools): their request already raised
   * the exhaustion counter, so they are not counted twice.
   */
  displacementsByHour: readonly HourlyCount[];
  exhaustion: readonly ExhaustionEvent[];
  /** Leases that ended in the window, and the time they held their numbers in all (end - start). */
  endedLeases: { count: number; totalHeldMs: number };
  pool: { leaseMs: number; cooldownMs: number };
  /** The numbers in the pool now; null when neither the pool store nor a sample says. */
  currentSize: number | null;
  targetBlocking: number;
}

export interface PoolSizing {
  /** Requests for a number per hour, the mean over the window. */
  arrivalsPerHour: number | null;
  /** Requests in the busiest clock hour of the window: what the pool is sized for. */
  peakArrivalsPerHour: number | null;
  peakHourStart: number | null;
  /** How long a request keeps a number out of circulation: lease held, then the cool-down. */
  meanHoldingSeconds: number | null;
  /** 'ended-leases': measured; 'pool-settings': no lease ended in the window, so lease + cool-down, a lower bound. */
  holdingBasis: 'ended-leases' | 'pool-settings' | null;
  /** Erlangs offered in the busiest hour. */
  offeredErlangs: number | null;
  currentSize: number | null;
  /** Erlang B: the share of requests the current pool turns away at the busiest hour's traffic. */
  blockingProbability: number | null;
  targetBlocking: number;
  /** The smallest pool that blocks at most targetBlocking of the busiest hour's requests. */
  recommendedSize: number | null;
  advice: string;
}

export function sizePool(input: SizingInput): PoolSizing {
  const byHour = arrivalsByHour(input);
  const arrivals = [...byHour.values()].reduce((sum, n) => sum + n, 0);
  const target = formatPercent(input.targetBlocking);
  if (arrivals === 0) {
    return {
      ...NOTHING_MEASURED,
      currentSize: input.currentSize,
      targetBlocking: input.targetBlocking,
      advice: 'Not enough traffic in this window to advise: no visit asked for a number.',
    };
  }
  const [peakHourStart, peak] = busiestHour(byHour);
  const measured = input.endedLeases.count > 0;
  const heldMs = measured ? input.endedLeases.totalHeldMs / input.endedLeases.count : input.pool.leaseMs;
  const holdingMs = Math.max(0, heldMs) + input.pool.cooldownMs;
  const offered = offeredTrafficErlangs(peak, holdingMs);
  const recommended = recommendedPoolSize(offered, input.targetBlocking);
  const windowHours = (input.to - input.from) / HOUR_MS;
  return {
    arrivalsPerHour: arrivals / windowHours,
    peakArrivalsPerHour: peak,
    peakHourStart,
    meanHoldingSeconds: holdingMs / 1000,
    holdingBasis: measured ? 'ended-leases' : 'pool-settings',
    offeredErlangs: offered,
    currentSize: input.currentSize,
    blockingProbability: input.currentSize === null ? null : erlangB(input.currentSize, offered),
    targetBlocking: input.targetBlocking,
    recommendedSize: recommended,
    advice: sizeAdvice(input.currentSize, recommended, target) + (measured ? '' : HOLDING_ESTIMATED),
  };
}

const NOTHING_MEASURED = {
  arrivalsPerHour: null,
  peakArrivalsPerHour: null,
  peakHourStart: null,
  meanHoldingSeconds: null,
  holdingBasis: null,
  offeredErlangs: null,
  blockingProbability: null,
  recommendedSize: null,
} as const;

const HOLDING_ESTIMATED = ' No lease ended in this window, so the holding time is the lease time plus the cool-down, a lower bound.';

const numbers = (n: number) => `${n} number${n === 1 ? '' : 's'}`;

function sizeAdvice(current: number | null, recommended: number, target: string): string {
  if (current === null) return `Keep ${numbers(recommended)} in the pool to block under ${target}.`;
  if (recommended > current) return `Add ${numbers(recommended - current)} to keep blocking under ${target}.`;
  if (recommended < current) return `The pool could lose ${numbers(current - recommended)} and still block under ${target}.`;
  return `The pool is the right size to keep blocking under ${target}.`;
}

/**
 * Requests per clock hour: grants (less those that displaced a visit) plus exhausted requests, the
 * latter in the hour of the sample that saw them (at most a sampling interval late).
 */
function arrivalsByHour(input: SizingInput): Map<number, number> {
  const byHour = new Map<number, number>();
  const add = (hourStart: number, n: number) => byHour.set(hourStart, (byHour.get(hourStart) ?? 0) + n);
  for (const g of input.grantsByHour) add(g.hourStart, g.count);
  for (const d of input.displacementsByHour) add(d.hourStart, -d.count);
  for (const e of input.exhaustion) add(Math.floor(e.at / HOUR_MS) * HOUR_MS, e.count);
  for (const [hour, n] of byHour) if (n < 0) byHour.set(hour, 0);
  return byHour;
}

/** The hour with the most requests; the earliest of equals. */
function busiestHour(byHour: Map<number, number>): [number, number] {
  let best: [number, number] = [Number.POSITIVE_INFINITY, -1];
  for (const [hour, n] of byHour) if (n > best[1] || (n === best[1] && hour < best[0])) best = [hour, n];
  return best;
}
