import { attributionMix } from './attribution-mix';

describe('attributionMix', () => {
  it('when calls were credited in several ways, then each method is counted and the ambiguous share is given', () => {
    const mix = attributionMix([
      { method: 'lease', calls: 12 },
      { method: 'grace', calls: 3 },
      { method: 'ambiguous', calls: 4 },
      { method: 'none', calls: 1 },
    ]);

    expect(mix).toEqual({
      calls: 20,
      ambiguous: 4,
      ambiguousShare: 0.2,
      byMethod: { lease: 12, grace: 3, ambiguous: 4, static: 0, none: 1, 'released-number': 0 },
    });
  });

  it('when there were no calls, then every method is 0 and the share is null, not a division by zero', () => {
    expect(attributionMix([])).toEqual({ calls: 0, ambiguous: 0, ambiguousShare: null, byMethod: { lease: 0, grace: 0, ambiguous: 0, static: 0, none: 0, 'released-number': 0 } });
  });

  it('when a method this version does not know is stored, then its calls still count among the calls', () => {
    const mix = attributionMix([{ method: 'lease', calls: 1 }, { method: 'future-method', calls: 1 }]);

    expect(mix.calls).toBe(2);
    expect(mix.byMethod).not.toHaveProperty('future-method');
  });
});
