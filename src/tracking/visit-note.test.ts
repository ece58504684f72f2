import { decodeVisitNote, encodeVisitNote, NO_VISITOR_DETAILS, type VisitSnapshot } from './visit-note';

const SOURCE = { source: '(direct)', medium: '(none)', campaign: null, term: null, content: null, landingPage: 'https://shop.example/', referrer: null, clickIds: {} };

describe('visit notes', () => {
  it('when a v2 snapshot is encoded and decoded, then every field comes back', () => {
    const snapshot: VisitSnapshot = {
      id: 'vs_1',
      siteId: 'site-1',
      visitorId: 'vr_1',
      title: 'Home',
      source: SOURCE,
      at: 1_700_000_000_000,
      userAgent: 'Mozilla/5.0',
      browser: 'Chrome 126',
      os: 'Windows 10',
      deviceType: 'desktop',
      ip: '203.0.113.9',
      country: 'GB',
      asn: 5089,
      isp: 'Virgin Media Limited',
      gaClientId: '1234567890.1700000000',
      gaSessionId: '1700000500',
    };

    expect(decodeVisitNote(encodeVisitNote(snapshot))).toEqual(snapshot);
  });

  it('when a v1 note written before the upgrade is decoded, then the visitor details are null', () => {
    const v1 = JSON.stringify({ v: 1, id: 'vs_1', siteId: 'site-1', visitorId: 'vr_1', title: null, source: SOURCE, at: 5 });

    expect(decodeVisitNote(v1)).toEqual({ id: 'vs_1', siteId: 'site-1', visitorId: 'vr_1', title: null, source: SOURCE, at: 5, ...NO_VISITOR_DETAILS });
  });

  it('when a note is not a visit, then it is refused', () => {
    expect(decodeVisitNote('not json')).toBeNull();
    expect(decodeVisitNote(JSON.stringify({ v: 3, id: 'x', siteId: 'y', source: SOURCE }))).toBeNull();
  });
});
