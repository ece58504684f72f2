import type { SiteWithPools } from '../sites/site-directory';
import type { ConsentState, ConsentStore } from './consent-store';

/** The site a public site key names, or a NotFoundError (VisitService.siteFor). */
export type SiteLookup = (siteKey: string) => Promise<SiteWithPools>;

/**
 * Consent given or withdrawn on a site that asks for it, recorded per visitor so the site can show
 * when a visitor agreed and when they changed their mind (GDPR art. 7(1)). A site that does not track
 * stores nothing, as for visits.
 */
export class ConsentService {
  constructor(
    private readonly siteFor: SiteLookup,
    private readonly consents: ConsentStore,
  ) {}

  async recordConsent(siteKey: string, visitorId: string, state: ConsentState, now: number): Promise<void> {
    const { site } = await this.siteFor(siteKey);
    if (!site.trackingEnabled) return;
    await this.consents.insert({ siteId: site.id, visitorId, state, at: now });
  }
}
