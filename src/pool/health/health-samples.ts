/**
 * What the minute-by-minute samples of a pool say: how busy it was, and when visits found it full.
 * Plain functions over samples, oldest first; times are epoch milliseconds.
 */

export interface HealthSample {
  at: number;
  total: number;
  leased: number;
  available: number;
  coolingDown: number;
  /** The pool store's cumulative count of lease requests that found no number free. */
  exhaustedTotal: number;
}

export interface ExhaustionEvent {
  /** The sample that saw the counter rise: the requests happened since the sample before it. */
  at: number;
  count: number;
}

export interface UtilisationPoint {
  at: number;
  total: number;
  leased: number;
  /** leased / total; null for a pool with no number. */
  utilisation: number | null;
}

/** How many points a chart of utilisation gets at most, whatever the window. */
export const MAX_UTILISATION_POINTS = 300;

export const utilisationOf = (leased: number, total: number): number | null => (total > 0 ? leased / total : null);

/**
 * The rises of the exhaustion counter between consecutive samples. `before` is the last sample taken
 * before the window; without one the first sample only sets the baseline, because what the counter
 * held then may be months of history from before sampling began. A counter lower than the one before
 * means the store lost its data (a Redis flush or failover) and counted again from 0.
 */
export function exhaustionEvents(samples: readonly HealthSample[], before: HealthSample | null): ExhaustionEvent[] {
  const events: ExhaustionEvent[] = [];
  let previous = before?.exhaustedTotal ?? samples[0]?.exhaustedTotal ?? 0;
  for (const s of samples) {
    const count = s.exhaustedTotal >= previous ? s.exhaustedTotal - previous : s.exhaustedTotal;
    if (count > 0) events.push({ at: s.at, count });
    previous = s.exhaustedTotal;
  }
  return events;
}

/**
 * At most `maxPoints` points for a chart: consecutive samples are grouped and each group shows its
 * busiest sample, so a short peak (the thing a pool is sized for) never averages away.
 */
export function downsampleUtilisation(samples: readonly HealthSample[], maxPoints = MAX_UTILISATION_POINTS): UtilisationPoint[] {
  const points = samples.map((s) => ({ at: s.at, total: s.total, leased: s.leased, utilisation: utilisationOf(s.leased, s.total) }));
  if (points.length <= maxPoints) return points;
  const groupSize = Math.ceil(points.length / maxPoints);
  const busiest: UtilisationPoint[] = [];
  for (let i = 0; i < points.length; i += groupSize) {
    const group = points.slice(i, i + groupSize);
    busiest.push(group.reduce((best, p) => ((p.utilisation ?? -1) > (best.utilisation ?? -1) ? p : best)));
  }
  return busiest;
}
