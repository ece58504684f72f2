import type { Queryable } from '../db/database';
import type { RetentionOverrides } from '../privacy/retention/retention-policy';
import type { PersonalDataCipher } from '../privacy/personal-data-cipher';
import { DEFAULT_GA4_EVENT_NAME } from '../integrations/ga4/ga4-rules';

/** 'required': the tracking script stores nothing and sets no cookie until the page reports consent. */
export type ConsentMode = 'required' | 'not-required';

export interface Site {
  id: string;
  clientId: string;
  name: string;
  siteKey: string;
  domains: string[];
  trackingEnabled: boolean;
  swapTargets: string[];
  consent: ConsentMode;
  /** Browsers sending Do Not Track are not tracked. */
  honorDnt: boolean;
  /** Browsers sending Global Privacy Control are not tracked. */
  honorGpc: boolean;
  createdAt: Date;
}

/**
 * A site with its retention overrides (null = as its client says), as the store reads it and the admin
 * API shows it. Tracking needs only the Site part.
 */
export interface SiteRecord extends Site {
  retention: RetentionOverrides;
  /** Where completed calls are sent in Google Analytics 4 (docs/ga4.md); null = nowhere. */
  ga4: Ga4Settings | null;
}

/** A site's GA4 destination as read back: the API secret is stored sealed and never read back here. */
export interface Ga4Settings {
  measurementId: string;
  eventName: string;
  enabled: boolean;
}

/** GA4 settings to store, complete: `apiSecret` null keeps the secret already stored. */
export interface Ga4SettingsWrite {
  measurementId: string;
  apiSecret: string | null;
  eventName: string;
  enabled: boolean;
}

/** The privacy settings have defaults (consent not required, DNT ignored, GPC honoured). */
export type NewSite = Omit<Site, 'id' | 'createdAt' | 'consent' | 'honorDnt' | 'honorGpc'> &
  Partial<Pick<Site, 'consent' | 'honorDnt' | 'honorGpc'>> & { ga4?: (Ga4SettingsWrite & { apiSecret: string }) | null };

/** The settings an operator may change after creation; absent fields keep their value. */
export type SiteChanges = Partial<Pick<Site, 'trackingEnabled' | 'swapTargets' | 'domains' | 'consent' | 'honorDnt' | 'honorGpc'> & RetentionOverrides> & {
  /** null removes the GA4 destination (measurement id and secret). */
  ga4?: Ga4SettingsWrite | null;
};

export interface SiteStore {
  create(site: NewSite): Promise<SiteRecord>;
  findById(id: string): Promise<SiteRecord | null>;
  findByKey(siteKey: string): Promise<SiteRecord | null>;
  /** The updated site, or null when there is no site with this id. */
  update(id: string, changes: SiteChanges): Promise<SiteRecord | null>;
  listByClient(clientId: string): Promise<SiteRecord[]>;
}

interface SiteRow {
  id: string;
  client_id: string;
  name: string;
  site_key: string;
  domains: string[];
  tracking_enabled: boolean;
  swap_targets: string[];
  consent: ConsentMode;
  honor_dnt: boolean;
  honor_gpc: boolean;
  activity_retention_days: number | null;
  call_retention_months: number | null;
  created_at: Date;
  ga4_measurement_id: string | null;
  ga4_event_name: string;
  ga4_enabled: boolean;
}

const COLUMNS = 'id, client_id, name, site_key, domains, tracking_enabled, swap_targets, consent, honor_dnt, honor_gpc, activity_retention_days, call_retention_months, created_at, ' +
  // Not the sealed GA4 API secret: only the GA4 target opens it, to send (src/integrations/ga4).
  'ga4_measurement_id, ga4_event_name, ga4_enabled';

const toSite = (r: SiteRow): SiteRecord => ({
  id: r.id,
  clientId: r.client_id,
  name: r.name,
  siteKey: r.site_key,
  domains: r.domains,
  trackingEnabled: r.tracking_enabled,
  swapTargets: r.swap_targets,
  consent: r.consent,
  honorDnt: r.honor_dnt,
  honorGpc: r.honor_gpc,
  retention: { activityRetentionDays: r.activity_retention_days, callRetentionMonths: r.call_retention_months },
  ga4: r.ga4_measurement_id ? { measurementId: r.ga4_measurement_id, eventName: r.ga4_event_name, enabled: r.ga4_enabled } : null,
  createdAt: r.created_at,
});

export class SqlSiteStore implements SiteStore {
  constructor(
    private readonly db: Queryable,
    /** Seals the GA4 API secret on its way in. */
    private readonly cipher: PersonalDataCipher,
  ) {}

  async create(s: NewSite): Promise<SiteRecord> {
    const { rows } = await this.db.query<SiteRow>(
      `INSERT INTO sites (client_id, name, site_key, domains, tracking_enabled, swap_targets, consent, honor_dnt, honor_gpc,
                          ga4_measurement_id, ga4_api_secret_sealed, ga4_event_name, ga4_enabled)
       VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7, 'not-required'), COALESCE($8, false), COALESCE($9, true), $10, $11, $12, $13)
       RETURNING ${COLUMNS}`,
      [s.clientId, s.name, s.siteKey, s.domains, s.trackingEnabled, s.swapTargets, s.consent ?? null, s.honorDnt ?? null, s.honorGpc ?? null,
        s.ga4?.measurementId ?? null, this.cipher.sealNullable(s.ga4?.apiSecret), s.ga4?.eventName ?? DEFAULT_GA4_EVENT_NAME, s.ga4?.enabled ?? false],
    );
    return toSite(rows[0]);
  }

  async update(id: string, c: SiteChanges): Promise<SiteRecord | null> {
    // These columns are NOT NULL, so NULL can only mean "not given": COALESCE keeps the current value.
    // The retention overrides may be set to NULL (back to the client's), so "given" is passed apart.
    const { rows } = await this.db.query<SiteRow>(
      `UPDATE sites SET tracking_enabled = COALESCE($2, tracking_enabled), swap_targets = COALESCE($3, swap_targets),
              domains = COALESCE($4, domains), consent = COALESCE($5, consent), honor_dnt = COALESCE($6, honor_dnt),
              honor_gpc = COALESCE($7, honor_gpc),
              activity_retention_days = CASE WHEN $8 THEN $9::integer ELSE activity_retention_days END,
              call_retention_months = CASE WHEN $10 THEN $11::integer ELSE call_retention_months END,
              ga4_measurement_id = CASE WHEN $12 THEN $13::text ELSE ga4_measurement_id END,
              ga4_api_secret_sealed = CASE WHEN NOT $12 THEN ga4_api_secret_sealed WHEN $13::text IS NULL THEN NULL
                                           ELSE COALESCE($14::text, ga4_api_secret_sealed) END,
              ga4_event_name = CASE WHEN $12 THEN $15::text ELSE ga4_event_name END,
              ga4_enabled = CASE WHEN $12 THEN $16::boolean ELSE ga4_enabled END
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, c.trackingEnabled ?? null, c.swapTargets ?? null, c.domains ?? null, c.consent ?? null, c.honorDnt ?? null, c.honorGpc ?? null,
        c.activityRetentionDays !== undefined, c.activityRetentionDays ?? null, c.callRetentionMonths !== undefined, c.callRetentionMonths ?? null,
        c.ga4 !== undefined, c.ga4?.measurementId ?? null, this.cipher.sealNullable(c.ga4?.apiSecret), c.ga4?.eventName ?? DEFAULT_GA4_EVENT_NAME, c.ga4?.enabled ?? false],
    );
    return rows[0] ? toSite(rows[0]) : null;
  }

  async findById(id: string): Promise<SiteRecord | null> {
    const { rows } = await this.db.query<SiteRow>(`SELECT ${COLUMNS} FROM sites WHERE id = $1`, [id]);
    return rows[0] ? toSite(rows[0]) : null;
  }

  async findByKey(siteKey: string): Promise<SiteRecord | null> {
    const { rows } = await this.db.query<SiteRow>(`SELECT ${COLUMNS} FROM sites WHERE site_key = $1`, [siteKey]);
    return rows[0] ? toSite(rows[0]) : null;
  }

  async listByClient(clientId: string): Promise<SiteRecord[]> {
    const { rows } = await this.db.query<SiteRow>(`SELECT ${COLUMNS} FROM sites WHERE client_id = $1 ORDER BY created_at, id`, [clientId]);
    return rows.map(toSite);
  }
}
