import { downsampleUtilisation, exhaustionEvents, MAX_UTILISATION_POINTS, type HealthSample } from './health-samples';

const T0 = Date.parse('2026-11-30T10:00:00Z');
const MINUTE = 60_000;

const sample = (minute: number, over: Partial<HealthSample> = {}): HealthSample => ({
  at: T0 + minute * MINUTE,
  total: 10,
  leased: 5,
  available: 4,
  coolingDown: 1,
  exhaustedTotal: 0,
  ...over,
});
const counter = (...totals: number[]) => totals.map((exhaustedTotal, minute) => sample(minute, { exhaustedTotal }));

describe('exhaustionEvents', () => {
  it('when the counter rises between samples, then each rise is an event at the sample that saw it', () => {
    const samples = counter(7, 7, 9, 9, 10);

    expect(exhaustionEvents(samples, sample(-1, { exhaustedTotal: 5 }))).toEqual([
      { at: T0, count: 2 },
      { at: T0 + 2 * MINUTE, count: 2 },
      { at: T0 + 4 * MINUTE, count: 1 },
    ]);
  });

  it('when there is no sample before the window, then the first sample is only the baseline (the counter may hold history from before sampling began)', () => {
    expect(exhaustionEvents(counter(4000, 4000, 4003), null)).toEqual([{ at: T0 + 2 * MINUTE, count: 3 }]);
  });

  it('when the counter drops (the store lost its data), then it counts again from 0', () => {
    expect(exhaustionEvents(counter(40, 42, 3, 5), null)).toEqual([
      { at: T0 + MINUTE, count: 2 },
      { at: T0 + 2 * MINUTE, count: 3 },
      { at: T0 + 3 * MINUTE, count: 2 },
    ]);
  });

  it('when there are no samples, then there are no events', () => {
    expect(exhaustionEvents([], sample(-1, { exhaustedTotal: 9 }))).toEqual([]);
  });
});

describe('downsampleUtilisation', () => {
  it('when there are few samples, then each is a point with its utilisation', () => {
    expect(downsampleUtilisation([sample(0, { leased: 3 }), sample(1, { total: 0, leased: 0 })])).toEqual([
      { at: T0, total: 10, leased: 3, utilisation: 0.3 },
      { at: T0 + MINUTE, total: 0, leased: 0, utilisation: null },
    ]);
  });

  it('when 35 days of minute samples are charted, then at most 300 points remain and a one-minute peak is among them', () => {
    const minutes = 35 * 24 * 60;
    const samples = Array.from({ length: minutes }, (_, m) => sample(m, { leased: m === 31_337 ? 10 : 2 }));

    const points = downsampleUtilisation(samples);

    expect(points.length).toBeLessThanOrEqual(MAX_UTILISATION_POINTS);
    expect(points.length).toBeGreaterThan(MAX_UTILISATION_POINTS - 10);
    expect(points.filter((p) => p.utilisation === 1)).toEqual([{ at: T0 + 31_337 * MINUTE, total: 10, leased: 10, utilisation: 1 }]);
    expect(points.map((p) => p.at)).toEqual([...points.map((p) => p.at)].sort((a, b) => a - b));
  });
});
