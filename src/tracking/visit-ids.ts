import { createHmac, randomBytes } from 'node:crypto';

/**
 * Visit ids carry a tag bound to the site that issued them, so a returning script continues its visit
 * without a database read, while an id made up by a client or issued by another site starts a new
 * visit. Visits are looked up by id alone (calls name their visit by id): an id reused on a second site
 * would otherwise credit that site's calls to the first site's visit (another client's landing page,
 * referrer and click ids). The tag is keyed by a server secret as well as the site: anyone may know a
 * site's id, and ids they could forge would pass as "continuing" visits and lease numbers past the
 * per-address quota on new visits (src/abuse).
 *
 * They also carry the time they were issued, which is the visit's start: the visits table is
 * partitioned by start month and keyed by (id, started_at), so every write of a visit derives
 * started_at from its id and names the same row, without a read (see SqlVisitStore).
 *
 * Format: 'vs_' + 9 base-36 digits of the issue time (epoch ms) + 22 characters of randomness + 11
 * characters of HMAC-SHA256(secret, site id + time digits + randomness).
 *
 * Ids of the older format ('vs_' + randomness + a tag keyed by the site id alone) are no longer
 * continued (their tag was forgeable): the script simply starts a new visit. Lease notes carrying
 * them are still stored (SqlVisitStore looks their start up).
 */
const VISIT_ID = /^vs_([0-9a-z]{9})([A-Za-z0-9_-]{22})([A-Za-z0-9_-]{11})$/;

/** How long a visit may go on: an id older than this starts a new visit (so visits stay in their month's partition). */
export const MAX_VISIT_AGE_MS = 24 * 60 * 60 * 1000;
/** How far ahead of this instance's clock another instance's clock may be when it issued an id. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

export class VisitIds {
  constructor(private readonly secret: Buffer) {}

  issue(siteId: string, issuedAt: number): string {
    const time = Math.trunc(issuedAt).toString(36).padStart(9, '0');
    const random = randomBytes(16).toString('base64url');
    return `vs_${time}${random}${this.tag(siteId, time + random)}`;
  }

  /** True when `visitId` was issued by `issue` for this site. */
  isOf(siteId: string, visitId: string): boolean {
    const timed = VISIT_ID.exec(visitId);
    return timed !== null && timed[3] === this.tag(siteId, timed[1] + timed[2]);
  }

  /**
   * True when a script may continue the visit `visitId` at `now`: this site issued it, it is not from
   * the future and not older than MAX_VISIT_AGE_MS.
   */
  canContinue(siteId: string, visitId: string, now: number): boolean {
    if (!this.isOf(siteId, visitId)) return false;
    const startedAt = visitStartedAt(visitId) as number;
    return startedAt <= now + CLOCK_SKEW_MS && now - startedAt <= MAX_VISIT_AGE_MS;
  }

  private tag(siteId: string, tagged: string): string {
    return createHmac('sha256', this.secret).update(`${siteId}:${tagged}`).digest('base64url').slice(0, 11);
  }
}

/** When the visit started (epoch ms), read from its id; null for ids without a time (older ids, test fixtures). */
export function visitStartedAt(visitId: string): number | null {
  const timed = VISIT_ID.exec(visitId);
  return timed ? parseInt(timed[1], 36) : null;
}
