import { createHmac, randomBytes } from 'node:crypto';

/**
 * Visit ids carry a tag bound to the site that issued them, so a returning script continues its visit
 * without a database read, while an id made up by a client or issued by another site starts a new
 * visit. The visits table is keyed by id alone: an id reused on a second site would otherwise credit
 * that site's calls to the first site's visit (another client's landing page, referrer and click ids).
 *
 * Format: 'vs_' + 22 characters of randomness + 11 characters of HMAC-SHA256(site id, randomness).
 * The site id is not a secret and need not be: the tag only has to differ between sites.
 */
const VISIT_ID = /^vs_([A-Za-z0-9_-]{22})([A-Za-z0-9_-]{11})$/;

const siteTag = (siteId: string, random: string): string => createHmac('sha256', siteId).update(random).digest('base64url').slice(0, 11);

export function newVisitId(siteId: string): string {
  const random = randomBytes(16).toString('base64url');
  return `vs_${random}${siteTag(siteId, random)}`;
}

/** True when `visitId` was issued by newVisitId for this site. */
export function isVisitIdOf(siteId: string, visitId: string): boolean {
  const match = VISIT_ID.exec(visitId);
  return match !== null && match[2] === siteTag(siteId, match[1]);
}
