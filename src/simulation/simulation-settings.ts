import type { ExhaustionPolicy } from '../pool/pool-store';
import { DEFAULT_DAILY_CURVE, validateCurve } from './daily-curve';

const MINUTE_MS = 60_000;

/** A lognormal delay, redrawn until it falls within [minMinutes, maxMinutes]. */
export interface DelayDistribution {
  medianMinutes: number;
  sigma: number;
  minMinutes: number;
  maxMinutes: number;
}

/** What the simulated site's visitors do. Everything the simulator knows as truth comes from here. */
export interface TrafficSettings {
  peakVisitsPerHour: number;
  /** 24 shares of the peak rate, one per hour of the day (see daily-curve.ts). */
  dailyCurve: readonly number[];
  /** Time from landing to leaving: lognormal, cut at maxMinutes (a tab left open stops heartbeating). */
  session: { medianMinutes: number; sigma: number; maxMinutes: number };
  /** Mean time on a page (exponential); every page load registers the visit again, as the tracking script does. */
  meanSecondsPerPage: number;
  heartbeatSeconds: number;
  /** Share of visits that lead to a call. */
  callShare: number;
  /** When that call comes: shares summing to 1. */
  callTiming: { duringVisit: number; soonAfter: number; later: number };
  /** Delay after leaving, for 'soonAfter' callers. */
  soonAfterDelay: DelayDistribution;
  /** Delay after leaving, for 'later' callers. */
  laterDelay: DelayDistribution;
  /** Share of callers who call a second time, to the number they called first. */
  repeatShare: number;
  repeatDelay: DelayDistribution;
  /** Share of all calls to pool numbers from people who never visited (offline sources, misdials). */
  offlineShare: number;
}

/** How the pool hands out numbers. `choice: 'random'` is a comparison strategy of the simulator only. */
export interface PoolPolicy {
  leaseMs: number;
  cooldownMs: number;
  graceMs: number;
  exhaustionPolicy: ExhaustionPolicy;
  choice: 'longest-idle' | 'random';
}

export interface SimulationSettings {
  seed: number;
  days: number;
  poolSize: number;
  traffic: TrafficSettings;
  policy: PoolPolicy;
}

export const DEFAULT_TRAFFIC: TrafficSettings = {
  peakVisitsPerHour: 2000,
  dailyCurve: DEFAULT_DAILY_CURVE,
  session: { medianMinutes: 3, sigma: 1.2, maxMinutes: 120 },
  meanSecondsPerPage: 75,
  heartbeatSeconds: 60,
  callShare: 0.05,
  callTiming: { duringVisit: 0.6, soonAfter: 0.3, later: 0.1 },
  soonAfterDelay: { medianMinutes: 10, sigma: 0.9, minMinutes: 0.5, maxMinutes: 60 },
  laterDelay: { medianMinutes: 180, sigma: 0.7, minMinutes: 60, maxMinutes: 24 * 60 },
  repeatShare: 0.1,
  repeatDelay: { medianMinutes: 30, sigma: 1.5, minMinutes: 1, maxMinutes: 48 * 60 },
  offlineShare: 0.03,
};

/** The service's defaults for a new pool (config/schema.ts, PoolService.createPool): cool-down = grace. */
export const DEFAULT_POLICY: PoolPolicy = {
  leaseMs: 30 * MINUTE_MS,
  cooldownMs: 15 * MINUTE_MS,
  graceMs: 15 * MINUTE_MS,
  exhaustionPolicy: 'overflow',
  choice: 'longest-idle',
};

/** Refuses settings that would make a meaningless or endless run, with the field at fault. */
export function validateSettings(s: SimulationSettings): void {
  const fail = (what: string) => {
    throw new RangeError(`simulation settings: ${what}`);
  };
  const t = s.traffic;
  if (!Number.isSafeInteger(s.seed)) fail('seed must be an integer');
  if (!(s.days > 0 && s.days <= 366)) fail('days must be between 0 and 366');
  if (!Number.isInteger(s.poolSize) || s.poolSize < 1) fail('poolSize must be a positive integer');
  if (!(t.peakVisitsPerHour > 0)) fail('peakVisitsPerHour must be positive');
  validateCurve(t.dailyCurve);
  if (!(t.session.medianMinutes > 0 && t.session.sigma >= 0 && t.session.maxMinutes >= t.session.medianMinutes)) fail('session needs median > 0, sigma >= 0, max >= median');
  if (!(t.meanSecondsPerPage > 0 && t.heartbeatSeconds > 0)) fail('meanSecondsPerPage and heartbeatSeconds must be positive');
  for (const [name, share] of Object.entries({ callShare: t.callShare, repeatShare: t.repeatShare })) if (!(share >= 0 && share <= 1)) fail(`${name} must be between 0 and 1`);
  if (!(t.offlineShare >= 0 && t.offlineShare < 1)) fail('offlineShare must be in [0, 1)');
  const timing = t.callTiming;
  if ([timing.duringVisit, timing.soonAfter, timing.later].some((v) => !(v >= 0)) || Math.abs(timing.duringVisit + timing.soonAfter + timing.later - 1) > 1e-9) fail('callTiming shares must be non-negative and sum to 1');
  for (const [name, d] of Object.entries({ soonAfterDelay: t.soonAfterDelay, laterDelay: t.laterDelay, repeatDelay: t.repeatDelay })) {
    if (!(d.medianMinutes > 0 && d.sigma >= 0 && d.minMinutes >= 0 && d.maxMinutes > d.minMinutes)) fail(`${name} needs median > 0, sigma >= 0, 0 <= min < max`);
  }
  const p = s.policy;
  if (!(p.leaseMs > 0 && p.cooldownMs >= 0 && p.graceMs >= 0)) fail('leaseMs must be positive, cooldownMs and graceMs non-negative');
}
