import type { ClientStore } from '../clients/client-store';
import { NotFoundError } from '../shared/errors';
import { newPublicId } from '../shared/ids';
import type { ConsentMode, Site, SiteChanges, SiteRecord, SiteStore } from './site-store';

export interface CreateSiteInput {
  clientId: string;
  name: string;
  domains: string[];
  trackingEnabled: boolean;
  swapTargets: string[];
  consent?: ConsentMode;
  honorDnt?: boolean;
  honorGpc?: boolean;
}

export class SiteService {
  constructor(
    private readonly sites: SiteStore,
    private readonly clients: ClientStore,
    /** Told the site key of every changed site, so cached copies (site directory, scripts) are dropped. */
    private readonly onChange: (siteKey: string) => void = () => undefined,
  ) {}

  async createSite(input: CreateSiteInput): Promise<SiteRecord> {
    if (!(await this.clients.findById(input.clientId))) throw new NotFoundError('No client with this clientId.');
    const domains = [...new Set(input.domains.map(normaliseDomain))];
    return this.sites.create({ ...input, domains, swapTargets: [...new Set(input.swapTargets)], siteKey: newPublicId('sk', 12) });
  }

  async getSite(id: string): Promise<SiteRecord> {
    const site = await this.sites.findById(id);
    if (!site) throw new NotFoundError('No site with this id.');
    return site;
  }

  async updateSite(id: string, changes: SiteChanges): Promise<SiteRecord> {
    const site = await this.sites.update(id, {
      ...changes,
      domains: changes.domains && [...new Set(changes.domains.map(normaliseDomain))],
      swapTargets: changes.swapTargets && [...new Set(changes.swapTargets)],
    });
    if (!site) throw new NotFoundError('No site with this id.');
    this.onChange(site.siteKey);
    return site;
  }
}

export function normaliseDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/\.$/, '');
}

/** True when `origin` (scheme://host[:port]) is one of the site's domains or a subdomain of one. */
export function originAllowed(site: Pick<Site, 'domains'>, origin: string): boolean {
  let host: string;
  try {
    host = new URL(origin).hostname.toLowerCase();
  } catch {
    return false;
  }
  return site.domains.some((d) => host === d || host.endsWith(`.${d}`));
}
