import { curveAt } from './daily-curve';
import type { SeededRandom } from './seeded-random';
import type { DelayDistribution, TrafficSettings } from './simulation-settings';

const SECOND_MS = 1000;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Redraws of a truncated delay before giving up: only a distribution far outside its bounds needs more. */
const MAX_REDRAWS = 10_000;

/** A moment the visit's page talks to the pool: a page load (registers the visit) or a heartbeat. */
export interface Activity {
  at: number;
  kind: 'page' | 'heartbeat';
}

export type CallTiming = 'during-visit' | 'soon-after' | 'later';

export interface PlannedCall {
  at: number;
  timing: CallTiming;
  /** A second call by the same person, to the number they called the first time. */
  repeat: boolean;
}

/** One visit as it will happen, whatever the pool does: the simulator's ground truth. */
export interface VisitPlan {
  visitId: string;
  arrivesAt: number;
  leavesAt: number;
  /** Oldest first; the first is the landing page. */
  activities: Activity[];
  calls: PlannedCall[];
}

/**
 * The next arrival of a Poisson process whose rate follows the daily curve (Lewis-Shedler thinning:
 * candidates at the peak rate, each kept with probability curve(t)). `dayStart` is midnight of day 0.
 */
export function nextArrival(rng: SeededRandom, after: number, peakPerHour: number, curve: readonly number[], dayStart: number): number {
  let t = after;
  for (;;) {
    t += rng.exponential(HOUR_MS / peakPerHour);
    if (rng.next() < curveAt(curve, t - dayStart)) return t;
  }
}

export function drawDelayMs(rng: SeededRandom, d: DelayDistribution): number {
  for (let i = 0; i < MAX_REDRAWS; i++) {
    const minutes = rng.lognormal(d.medianMinutes, d.sigma);
    if (minutes >= d.minMinutes && minutes <= d.maxMinutes) return minutes * MINUTE_MS;
  }
  throw new RangeError(`delay distribution ${JSON.stringify(d)} almost never falls within its bounds`);
}

/** Draws everything about one visit. Times are whole milliseconds, as the pool stores keep them. */
export function planVisit(rng: SeededRandom, visitId: string, arrivesAt: number, t: TrafficSettings): VisitPlan {
  const sessionMs = Math.min(rng.lognormal(t.session.medianMinutes, t.session.sigma), t.session.maxMinutes) * MINUTE_MS;
  const leavesAt = Math.round(arrivesAt + sessionMs);
  const activities = pageActivities(rng, arrivesAt, leavesAt, t);
  const calls: PlannedCall[] = [];
  if (rng.chance(t.callShare)) {
    const first = plannedCall(rng, arrivesAt, leavesAt, t);
    calls.push(first);
    if (rng.chance(t.repeatShare)) calls.push({ at: Math.round(first.at + drawDelayMs(rng, t.repeatDelay)), timing: first.timing, repeat: true });
  }
  return { visitId, arrivesAt, leavesAt, activities, calls };
}

/** Page loads (exponential time on page) and, between them, a heartbeat every heartbeatSeconds. */
function pageActivities(rng: SeededRandom, arrivesAt: number, leavesAt: number, t: TrafficSettings): Activity[] {
  const pages = [arrivesAt];
  for (let at = arrivesAt + rng.exponential(t.meanSecondsPerPage * SECOND_MS); at < leavesAt; at += rng.exponential(t.meanSecondsPerPage * SECOND_MS)) {
    pages.push(Math.round(at));
  }
  const heartbeatMs = t.heartbeatSeconds * SECOND_MS;
  const activities: Activity[] = [];
  pages.forEach((page, i) => {
    activities.push({ at: page, kind: 'page' });
    // A new page restarts the script, and with it the heartbeat timer.
    const pageEnds = pages[i + 1] ?? leavesAt;
    for (let beat = page + heartbeatMs; beat < pageEnds; beat += heartbeatMs) activities.push({ at: beat, kind: 'heartbeat' });
  });
  return activities;
}

function plannedCall(rng: SeededRandom, arrivesAt: number, leavesAt: number, t: TrafficSettings): PlannedCall {
  const u = rng.next();
  const { duringVisit, soonAfter } = t.callTiming;
  if (u < duringVisit) return { at: Math.round(arrivesAt + rng.next() * (leavesAt - arrivesAt)), timing: 'during-visit', repeat: false };
  if (u < duringVisit + soonAfter) return { at: Math.round(leavesAt + drawDelayMs(rng, t.soonAfterDelay)), timing: 'soon-after', repeat: false };
  return { at: Math.round(leavesAt + drawDelayMs(rng, t.laterDelay)), timing: 'later', repeat: false };
}

/** Mean visit length in ms: E[min(S, max)] for lognormal S (closed form, so the advisor needs no sampling). */
export function meanSessionMs(session: TrafficSettings['session']): number {
  const mu = Math.log(session.medianMinutes);
  const s = session.sigma;
  const cap = session.maxMinutes;
  if (s === 0) return Math.min(session.medianMinutes, cap) * MINUTE_MS;
  const logCap = Math.log(cap);
  const belowCap = Math.exp(mu + (s * s) / 2) * normalCdf((logCap - mu - s * s) / s);
  const atCap = cap * (1 - normalCdf((logCap - mu) / s));
  return (belowCap + atCap) * MINUTE_MS;
}

/** Standard normal CDF via erf (Abramowitz & Stegun 7.1.26, error below 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const k = 1 / (1 + 0.3275911 * z);
  const poly = k * (0.254829592 + k * (-0.284496736 + k * (1.421413741 + k * (-1.453152027 + k * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Calls an hour at peak from people who never visited, so that they are offlineShare of all calls. */
export function offlineCallsPerHourAtPeak(t: TrafficSettings): number {
  const visitCalls = t.peakVisitsPerHour * t.callShare * (1 + t.repeatShare);
  return (visitCalls * t.offlineShare) / (1 - t.offlineShare);
}
