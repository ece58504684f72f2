import { SeededRandom } from './seeded-random';

const draw = (rng: SeededRandom, n: number) => Array.from({ length: n }, () => rng.next());

describe('SeededRandom', () => {
  it('when two streams share a seed and an index, then they draw the same numbers', () => {
    expect(draw(SeededRandom.stream(42, 1), 20)).toEqual(draw(SeededRandom.stream(42, 1), 20));
  });

  it('when the seed or the stream index differs, then the numbers differ', () => {
    const base = draw(SeededRandom.stream(42, 1), 20);
    expect(draw(SeededRandom.stream(43, 1), 20)).not.toEqual(base);
    expect(draw(SeededRandom.stream(42, 2), 20)).not.toEqual(base);
  });

  it('when drawing uniforms, then they stay in [0, 1) and average one half', () => {
    const values = draw(SeededRandom.stream(7, 0), 20_000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(values.reduce((a, b) => a + b, 0) / values.length).toBeCloseTo(0.5, 2);
  });

  it('when drawing integers below n, then every value in [0, n) appears and no other', () => {
    const rng = SeededRandom.stream(7, 0);
    const seen = new Set(Array.from({ length: 1000 }, () => rng.int(5)));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('when drawing exponentials and lognormals, then their mean and median are the asked ones', () => {
    const rng = SeededRandom.stream(11, 0);
    const exponentials = Array.from({ length: 40_000 }, () => rng.exponential(3));
    expect(exponentials.reduce((a, b) => a + b, 0) / exponentials.length).toBeCloseTo(3, 1);
    const lognormals = Array.from({ length: 40_000 }, () => rng.lognormal(3, 1.2)).sort((a, b) => a - b);
    expect(lognormals[lognormals.length / 2]).toBeGreaterThan(2.85);
    expect(lognormals[lognormals.length / 2]).toBeLessThan(3.15);
  });

  it('when the seed is not an integer, then it is refused', () => {
    expect(() => SeededRandom.stream(1.5, 0)).toThrow(RangeError);
  });
});
