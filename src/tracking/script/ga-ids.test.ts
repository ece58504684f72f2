import { readGaIds } from './ga-ids';

describe('readGaIds', () => {
  it('when the page has _ga and a GA4 session cookie (GS1), then both ids are read', () => {
    expect(readGaIds('theme=dark; _ga=GA1.1.1234567890.1700000000; _ga_ABC123=GS1.1.1700000500.3.1.1700000600.0.0.0')).toEqual({
      gaClientId: '1234567890.1700000000',
      gaSessionId: '1700000500',
    });
  });

  it('when the session cookie uses the newer GS2 format, then its session id is read', () => {
    expect(readGaIds('_ga_XYZ=GS2.1.s1700000500$o3$g1$t1700000600$j0$l0$h0')).toEqual({ gaSessionId: '1700000500' });
  });

  it('when there are no GA cookies or they are malformed, then nothing is read', () => {
    expect(readGaIds('')).toEqual({});
    expect(readGaIds('_ga=nonsense; _ga_X=also-nonsense')).toEqual({});
  });
});
