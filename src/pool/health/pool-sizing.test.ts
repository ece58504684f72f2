import { HOUR_MS, sizePool, type SizingInput } from './pool-sizing';

const T0 = Date.parse('2026-11-30T00:00:00Z');
const at = (hhmm: string) => Date.parse(`2026-11-30T${hhmm}:00Z`);
const MINUTE = 60_000;

/**
 * A day in which the busiest hour (10:00) saw 44 grants and 4 requests that found the pool full: 48
 * requests. Leases held their numbers 10 minutes on average and rest 5, so each request takes a number
 * for 15 minutes: 48 x 0.25 h = 12 Erlangs, which the published table says 20 numbers carry at 1 %
 * (19 carry only 11.23).
 */
function busyDay(over: Partial<SizingInput> = {}): SizingInput {
  return {
    from: T0,
    to: T0 + 24 * HOUR_MS,
    grantsByHour: [
      { hourStart: at('09:00'), count: 20 },
      { hourStart: at('10:00'), count: 44 },
    ],
    displacementsByHour: [],
    exhaustion: [
      { at: at('10:20'), count: 3 },
      { at: at('10:41'), count: 1 },
    ],
    endedLeases: { count: 60, totalHeldMs: 60 * 10 * MINUTE },
    pool: { leaseMs: 30 * MINUTE, cooldownMs: 5 * MINUTE },
    currentSize: 16,
    targetBlocking: 0.01,
    ...over,
  };
}

describe('sizePool', () => {
  it('when the busiest hour offers 12 Erlangs, then 20 numbers are recommended and a pool of 16 is told to add 4', () => {
    const sizing = sizePool(busyDay());

    expect(sizing.arrivalsPerHour).toBeCloseTo(68 / 24, 10);
    expect(sizing.peakArrivalsPerHour).toBe(48);
    expect(sizing.peakHourStart).toBe(at('10:00'));
    expect(sizing.meanHoldingSeconds).toBe(15 * 60);
    expect(sizing.holdingBasis).toBe('ended-leases');
    expect(sizing.offeredErlangs).toBeCloseTo(12, 10);
    expect(sizing.recommendedSize).toBe(20);
    // Erlang B for 16 numbers at 12 Erlangs, by the recursion B(n) = A·B(n-1) / (n + A·B(n-1)).
    expect(sizing.blockingProbability).toBeCloseTo(0.0604126, 6);
    expect(sizing.advice).toBe('Add 4 numbers to keep blocking under 1%.');
  });

  it('when a recycled number took a displaced visit\'s place, then that request is counted once, not as a grant and an exhaustion', () => {
    const sizing = sizePool(busyDay({ displacementsByHour: [{ hourStart: at('10:00'), count: 4 }] }));

    expect(sizing.peakArrivalsPerHour).toBe(44);
    expect(sizing.arrivalsPerHour).toBeCloseTo(64 / 24, 10);
  });

  it('when the pool is larger than needed, then it is told how many numbers it could lose', () => {
    expect(sizePool(busyDay({ currentSize: 23 })).advice).toBe('The pool could lose 3 numbers and still block under 1%.');
    expect(sizePool(busyDay({ currentSize: 21 })).advice).toBe('The pool could lose 1 number and still block under 1%.');
    expect(sizePool(busyDay({ currentSize: 20 })).advice).toBe('The pool is the right size to keep blocking under 1%.');
  });

  it('when the size of the pool is unknown, then the advice says how many numbers to keep and no blocking is given', () => {
    const sizing = sizePool(busyDay({ currentSize: null }));

    expect(sizing.blockingProbability).toBeNull();
    expect(sizing.advice).toBe('Keep 20 numbers in the pool to block under 1%.');
  });

  it('when a stricter target is asked, then more numbers are recommended and the target reads as an operator writes it', () => {
    const strict = sizePool(busyDay({ targetBlocking: 0.005 }));

    expect(strict.recommendedSize).toBeGreaterThan(20);
    expect(strict.targetBlocking).toBe(0.005);
    expect(strict.advice).toMatch(/under 0\.5%\.$/);
  });

  it('when no lease ended in the window, then the holding time is the lease time plus the cool-down, and the advice says it is a lower bound', () => {
    const sizing = sizePool(busyDay({ endedLeases: { count: 0, totalHeldMs: 0 } }));

    expect(sizing.meanHoldingSeconds).toBe(35 * 60);
    expect(sizing.holdingBasis).toBe('pool-settings');
    expect(sizing.offeredErlangs).toBeCloseTo((48 * 35) / 60, 10);
    expect(sizing.advice).toMatch(/lower bound/);
  });

  it('when nobody asked for a number, then the measured figures are null and the advice says there is not enough traffic', () => {
    const sizing = sizePool(busyDay({ grantsByHour: [], exhaustion: [], endedLeases: { count: 3, totalHeldMs: 3 * MINUTE } }));

    expect(sizing).toEqual({
      arrivalsPerHour: null,
      peakArrivalsPerHour: null,
      peakHourStart: null,
      meanHoldingSeconds: null,
      holdingBasis: null,
      offeredErlangs: null,
      currentSize: 16,
      blockingProbability: null,
      targetBlocking: 0.01,
      recommendedSize: null,
      advice: expect.stringMatching(/^Not enough traffic in this window to advise/),
    });
  });

  it('when two hours are equally busy, then the earlier is the peak', () => {
    const sizing = sizePool(busyDay({ grantsByHour: [{ hourStart: at('15:00'), count: 7 }, { hourStart: at('08:00'), count: 7 }], exhaustion: [] }));

    expect(sizing.peakHourStart).toBe(at('08:00'));
    expect(sizing.peakArrivalsPerHour).toBe(7);
  });
});
