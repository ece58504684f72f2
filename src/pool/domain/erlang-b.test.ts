import { erlangB, meanNumberHoldingMs, offeredTrafficErlangs, recommendedPoolSize } from './erlang-b';

// Published Erlang B table (e.g. the ITU / Cisco traffic tables): the traffic N lines carry at a given
// grade of service. Rows are [lines, Erlangs at 0.1 %, at 1 %, at 5 %].
const TABLE: [number, number, number, number][] = [
  [5, 0.762, 1.361, 2.219],
  [10, 3.092, 4.461, 6.216],
  [20, 9.411, 12.031, 15.249],
  [50, 32.51, 37.9, 44.53],
  [100, 75.24, 84.06, 95.24],
];

describe('erlangB', () => {
  it('when computed by hand (A = 2, N = 5), then it matches 0.0367', () => {
    // 1 -> 2/3 -> 0.4 -> 0.2105 -> 0.0952 -> 0.0367
    expect(erlangB(5, 2)).toBeCloseTo(0.036697, 5);
  });

  it('when there are no numbers, then every visit is blocked; when there is no traffic, none is', () => {
    expect(erlangB(0, 3)).toBe(1);
    expect(erlangB(10, 0)).toBe(0);
  });

  it.each(TABLE)('when %i lines carry the published traffic, then the blocking is the table grade', (lines, at01, at1, at5) => {
    expect(erlangB(lines, at01)).toBeCloseTo(0.001, 4);
    expect(erlangB(lines, at1)).toBeCloseTo(0.01, 3);
    expect(erlangB(lines, at5)).toBeCloseTo(0.05, 3);
  });

  it('when the pool is in the thousands, then the recursion stays finite and monotone', () => {
    const big = erlangB(5000, 4900);
    expect(big).toBeGreaterThan(0);
    expect(big).toBeLessThan(erlangB(4990, 4900));
  });

  it('when the arguments are nonsense, then it refuses them', () => {
    expect(() => erlangB(-1, 1)).toThrow(RangeError);
    expect(() => erlangB(2.5, 1)).toThrow(RangeError);
    expect(() => erlangB(2, Number.NaN)).toThrow(RangeError);
  });
});

describe('recommendedPoolSize', () => {
  it.each(TABLE)('when %i lines is the table answer at 1 %%, then it is recommended for slightly less traffic', (lines, _at01, at1) => {
    expect(recommendedPoolSize(at1 - 0.01)).toBe(lines);
    expect(recommendedPoolSize(at1 + 0.01)).toBe(lines + 1);
  });

  it('when a stricter target is asked, then more numbers are recommended', () => {
    expect(recommendedPoolSize(37.9, 0.001)).toBeGreaterThan(recommendedPoolSize(37.9, 0.01));
    expect(recommendedPoolSize(37.9, 0.05)).toBeLessThan(recommendedPoolSize(37.9, 0.01));
  });

  it('when there is no traffic, then no number is needed', () => {
    expect(recommendedPoolSize(0)).toBe(0);
  });

  it('when the target is not a probability, then it refuses it', () => {
    expect(() => recommendedPoolSize(10, 0)).toThrow(RangeError);
    expect(() => recommendedPoolSize(10, 1)).toThrow(RangeError);
  });
});

describe('offered traffic of a pool', () => {
  it('when 2,000 visits an hour each hold a number 51 minutes, then 1,700 Erlangs are offered', () => {
    const holding = meanNumberHoldingMs({ meanVisitMs: 6 * 60_000, leaseMs: 30 * 60_000, cooldownMs: 15 * 60_000 });
    expect(holding).toBe(51 * 60_000);
    expect(offeredTrafficErlangs(2000, holding)).toBeCloseTo(1700, 9);
  });
});

/**
 * The same tables to four or five significant figures: Erlangs that N numbers carry at 1 % and 5 %
 * blocking. N = 1 is exact by hand (A = B / (1 - B): 0.0101 and 0.0526); the others are the usual
 * published Erlang B table values (15 lines at 1 % = 8.108 is erlang.com's worked example; the Carrier
 * Grade Voice over IP table, Appendix A, gives the same rows to one decimal). docs/pool-health.md lists them.
 */
const PUBLISHED: [number, number, number][] = [
  [1, 0.0101, 0.0526],
  [2, 0.1526, 0.3813],
  [5, 1.3608, 2.2185],
  [10, 4.4612, 6.2157],
  [15, 8.108, 10.633],
  [20, 12.031, 15.249],
  [50, 37.901, 44.533],
  [100, 84.064, 95.238],
];

describe('Erlang B against the published table to four figures', () => {
  it.each(PUBLISHED)('when %i numbers are offered the published traffic, then they block 1 %% and 5 %% of visits', (numbers, at1, at5) => {
    expect(erlangB(numbers, at1)).toBeCloseTo(0.01, 4);
    expect(erlangB(numbers, at5)).toBeCloseTo(0.05, 4);
  });

  it.each(PUBLISHED)('when the traffic is just under or over what %i numbers carry, then that many or one more is recommended', (numbers, at1, at5) => {
    expect(recommendedPoolSize(at1 * 0.998, 0.01)).toBe(numbers);
    expect(recommendedPoolSize(at1 * 1.002, 0.01)).toBe(numbers + 1);
    expect(recommendedPoolSize(at5 * 0.998, 0.05)).toBe(numbers);
    expect(recommendedPoolSize(at5 * 1.002, 0.05)).toBe(numbers + 1);
  });

  it('when the traffic grows, then the blocking of a fixed pool only grows', () => {
    const blockings = [1, 2, 4, 8, 16].map((a) => erlangB(10, a));
    expect(blockings).toEqual([...blockings].sort((x, y) => x - y));
  });
});
