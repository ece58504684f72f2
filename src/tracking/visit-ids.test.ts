import { createHmac, randomBytes } from 'node:crypto';
import { MAX_VISIT_AGE_MS, VisitIds, visitStartedAt } from './visit-ids';

const ids = new VisitIds(randomBytes(32));
const newVisitId = (siteId: string, at: number) => ids.issue(siteId, at);
const isVisitIdOf = (siteId: string, id: string) => ids.isOf(siteId, id);
const canContinueVisit = (siteId: string, id: string, now: number) => ids.canContinue(siteId, id, now);

const SITE = '6f1c2b1e-3a4d-4e5f-8a9b-0c1d2e3f4a5b';
const OTHER_SITE = '0d9e8f7a-6b5c-4d3e-9f2a-1b0c9d8e7f6a';
const NOW = Date.parse('2026-11-30T10:00:00.123Z');

/** An id in the format issued before ids carried their start time. */
function untimedVisitId(siteId: string): string {
  const random = randomBytes(16).toString('base64url');
  return `vs_${random}${createHmac('sha256', siteId).update(random).digest('base64url').slice(0, 11)}`;
}

describe('visit ids', () => {
  it('when an id is issued, then it carries its issue time and is recognised only by the site that issued it', () => {
    const id = newVisitId(SITE, NOW);

    expect(visitStartedAt(id)).toBe(NOW);
    expect(isVisitIdOf(SITE, id)).toBe(true);
    expect(isVisitIdOf(OTHER_SITE, id)).toBe(false);
    expect(id).toMatch(/^vs_[A-Za-z0-9_-]{42}$/);
  });

  it('when the time in an id is changed, then the id is no longer recognised', () => {
    const id = newVisitId(SITE, NOW);
    const earlier = (NOW - 40 * 24 * 3600 * 1000).toString(36).padStart(9, '0');

    expect(isVisitIdOf(SITE, `vs_${earlier}${id.slice(12)}`)).toBe(false);
  });

  it('when an id in the older format (tag keyed by the site id alone) arrives, then it is not continued and has no start time', () => {
    const id = untimedVisitId(SITE);

    expect(isVisitIdOf(SITE, id)).toBe(false);
    expect(visitStartedAt(id)).toBeNull();
    expect(canContinueVisit(SITE, id, NOW)).toBe(false);
  });

  it('when someone who knows the site id forges an id with the public part of the scheme, then it is refused', () => {
    const time = NOW.toString(36).padStart(9, '0');
    const random = randomBytes(16).toString('base64url');
    const forged = `vs_${time}${random}${createHmac('sha256', SITE).update(time + random).digest('base64url').slice(0, 11)}`;

    expect(canContinueVisit(SITE, forged, NOW)).toBe(false);
    expect(new VisitIds(randomBytes(32)).isOf(SITE, newVisitId(SITE, NOW))).toBe(false);
  });

  it.each([
    ['issued just now', 'allowed', NOW],
    ['issued a little ahead by a skewed clock', 'allowed', NOW + 60_000],
    ['from well in the future', 'refused', NOW + 3600_000],
    ['started almost a day ago', 'allowed', NOW - MAX_VISIT_AGE_MS + 1],
    ['started more than a day ago', 'refused', NOW - MAX_VISIT_AGE_MS - 1],
  ])('when a script continues a visit %s, then it is %s', (_label, expected, issuedAt) => {
    expect(canContinueVisit(SITE, newVisitId(SITE, issuedAt as number), NOW)).toBe(expected === 'allowed');
  });

  it.each(['vs_short', '', 'vr_0123456789abcdefghijklmnopqrstuvwxyzABCDEF', `vs_${'!'.repeat(42)}`])('when %j is offered, then it is not a visit id', (id) => {
    expect(isVisitIdOf(SITE, id)).toBe(false);
    expect(canContinueVisit(SITE, id, NOW)).toBe(false);
  });
});
