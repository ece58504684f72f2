import type { ClientStore } from '../clients/client-store';
import { NotFoundError, ValidationError } from '../shared/errors';
import { newPublicId } from '../shared/ids';
import { DEFAULT_GA4_EVENT_NAME } from '../integrations/ga4/ga4-rules';
import type { ConsentMode, Ga4Settings, Ga4SettingsWrite, Site, SiteChanges, SiteRecord, SiteStore } from './site-store';

export interface CreateSiteInput {
  clientId: string;
  name: string;
  domains: string[];
  trackingEnabled: boolean;
  swapTargets: string[];
  consent?: ConsentMode;
  honorDnt?: boolean;
  honorGpc?: boolean;
  ga4?: Ga4SettingsInput & { apiSecret: string };
}

/**
 * GA4 settings as an operator gives them. Absent: the event name and the enabled flag keep their value
 * (new settings: the default event name, enabled); the API secret is kept when the measurement id is
 * the one already set, since a secret belongs to one data stream.
 */
export interface Ga4SettingsInput {
  measurementId: string;
  apiSecret?: string;
  eventName?: string;
  enabled?: boolean;
}

export type SiteUpdate = Omit<SiteChanges, 'ga4'> & { ga4?: Ga4SettingsInput | null };

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
    const ga4 = input.ga4 && { ...ga4Write(input.ga4, null), apiSecret: input.ga4.apiSecret };
    return this.sites.create({ ...input, domains, swapTargets: [...new Set(input.swapTargets)], siteKey: newPublicId('sk', 12), ga4 });
  }

  /** A client's sites, oldest first; an unknown client is a 404 rather than an empty list. */
  async listSites(clientId: string): Promise<SiteRecord[]> {
    if (!(await this.clients.findById(clientId))) throw new NotFoundError('No client with this clientId.');
    return this.sites.listByClient(clientId);
  }

  async getSite(id: string): Promise<SiteRecord> {
    const site = await this.sites.findById(id);
    if (!site) throw new NotFoundError('No site with this id.');
    return site;
  }

  async updateSite(id: string, changes: SiteUpdate): Promise<SiteRecord> {
    const site = await this.sites.update(id, {
      ...changes,
      ga4: changes.ga4 && ga4Write(changes.ga4, (await this.getSite(id)).ga4),
      domains: changes.domains && [...new Set(changes.domains.map(normaliseDomain))],
      swapTargets: changes.swapTargets && [...new Set(changes.swapTargets)],
    });
    if (!site) throw new NotFoundError('No site with this id.');
    this.onChange(site.siteKey);
    return site;
  }
}

/** The complete settings to store, from what was given and what is set now (`current`). */
function ga4Write(input: Ga4SettingsInput, current: Ga4Settings | null): Ga4SettingsWrite {
  if (!input.apiSecret && input.measurementId !== current?.measurementId) {
    const issue = { path: 'ga4.apiSecret', message: 'required with a new measurement id (each GA4 data stream has its own secrets)' };
    throw new ValidationError(`Invalid request body: ${issue.path}: ${issue.message}`, { issues: [issue] });
  }
  return {
    measurementId: input.measurementId,
    apiSecret: input.apiSecret ?? null,
    eventName: input.eventName ?? current?.eventName ?? DEFAULT_GA4_EVENT_NAME,
    enabled: input.enabled ?? current?.enabled ?? true,
  };
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
