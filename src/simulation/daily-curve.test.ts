import { curveAt, dailyVolumeFactor, DEFAULT_DAILY_CURVE, validateCurve } from './daily-curve';

const HOUR_MS = 3_600_000;

describe('daily curve', () => {
  it('when asked at an hour midpoint, then it is that hour value; between midpoints, a straight line', () => {
    expect(curveAt(DEFAULT_DAILY_CURVE, 11.5 * HOUR_MS)).toBeCloseTo(1, 12);
    expect(curveAt(DEFAULT_DAILY_CURVE, 3.5 * HOUR_MS)).toBeCloseTo(0.03, 12);
    expect(curveAt(DEFAULT_DAILY_CURVE, 12 * HOUR_MS)).toBeCloseTo((1 + 0.85) / 2, 12);
  });

  it('when asked around midnight or on a later day, then it wraps around', () => {
    expect(curveAt(DEFAULT_DAILY_CURVE, 0)).toBeCloseTo((0.17 + 0.1) / 2, 12);
    expect(curveAt(DEFAULT_DAILY_CURVE, 3 * 24 * HOUR_MS + 11.5 * HOUR_MS)).toBeCloseTo(1, 12);
  });

  it('when integrated over a day, then the volume is the sum of the hourly values', () => {
    let integral = 0;
    const step = 60_000;
    for (let t = 0; t < 24 * HOUR_MS; t += step) integral += curveAt(DEFAULT_DAILY_CURVE, t + step / 2) * (step / HOUR_MS);
    expect(integral).toBeCloseTo(dailyVolumeFactor(DEFAULT_DAILY_CURVE), 3);
  });

  it('when a curve does not peak at 1 or has the wrong length, then it is refused', () => {
    expect(() => validateCurve(DEFAULT_DAILY_CURVE)).not.toThrow();
    expect(() => validateCurve(new Array(24).fill(0.5))).toThrow(RangeError);
    expect(() => validateCurve([1])).toThrow(RangeError);
  });
});
