const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Visits per hour across a weekday, as a share of the peak: quiet at night, a late-morning and an
 * afternoon peak, a long evening. Roughly the shape of a local-services site's analytics.
 */
export const DEFAULT_DAILY_CURVE: readonly number[] = [
  0.1, 0.06, 0.04, 0.03, 0.03, 0.05, 0.12, 0.3, 0.55, 0.8, 0.95, 1, //  0:00 - 11:59
  0.85, 0.85, 0.95, 1, 0.9, 0.75, 0.6, 0.55, 0.5, 0.4, 0.28, 0.17, // 12:00 - 23:59
];

/** The share of the peak rate at `msIntoDay`: hourly values sit at each hour's midpoint, joined by straight lines. */
export function curveAt(curve: readonly number[], msIntoDay: number): number {
  if (curve.length !== 24) throw new RangeError(`a daily curve has 24 hourly values, got ${curve.length}`);
  const hours = (((msIntoDay % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS - 0.5;
  const before = Math.floor(hours);
  const t = hours - before;
  return curve[(before + 24) % 24] * (1 - t) + curve[(before + 25) % 24] * t;
}

/** Visits a day per visit an hour at peak (the interpolated curve's integral is the sum of its hours). */
export function dailyVolumeFactor(curve: readonly number[]): number {
  return curve.reduce((sum, v) => sum + v, 0);
}

export function validateCurve(curve: readonly number[]): void {
  if (curve.length !== 24 || curve.some((v) => !(v >= 0 && v <= 1))) throw new RangeError('a daily curve has 24 values between 0 and 1');
  if (Math.max(...curve) !== 1) throw new RangeError('a daily curve peaks at exactly 1 (the peak rate)');
}
