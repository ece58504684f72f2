import type { Queryable } from '../db/database';
import type { RetentionOverrides } from '../privacy/retention/retention-policy';

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
}

/** The privacy settings have defaults (consent not required, DNT ignored, GPC honoured). */
export type NewSite = Omit<Site, 'id' | 'createdAt' | 'consent' | 'honorDnt' | 'honorGpc'> & Partial<Pick<Site, 'consent' | 'honorDnt' | 'honorGpc'>>;

/** The settings an operator may change after creation; absent fields keep their value. */
export type SiteChanges = Partial<Pick<Site, 'trackingEnabled' | 'swapTargets' | 'domains' | 'consent' | 'honorDnt' | 'honorGpc'> & RetentionOverrides>;

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
}

const COLUMNS = 'id, client_id, name, site_key, domains, tracking_enabled, swap_targets, consent, honor_dnt, honor_gpc, activity_retention_days, call_retention_months, created_at';

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
  createdAt: r.created_at,
});

export class SqlSiteStore implements SiteStore {
  constructor(private readonly db: Queryable) {}

  async create(s: NewSite): Promise<SiteRecord> {
    const { rows } = await this.db.query<SiteRow>(
      `INSERT INTO sites (client_id, name, site_key, domains, tracking_enabled, swap_targets, consent, honor_dnt, honor_gpc)
       VALUES ($1, $2, $3, $4, $5, $6, COALESCE($7, 'not-required'), COALESCE($8, false), COALESCE($9, true)) RETURNING ${COLUMNS}`,
      [s.clientId, s.name, s.siteKey, s.domains, s.trackingEnabled, s.swapTargets, s.consent ?? null, s.honorDnt ?? null, s.honorGpc ?? null],
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
              call_retention_months = CASE WHEN $10 THEN $11::integer ELSE call_retention_months END
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, c.trackingEnabled ?? null, c.swapTargets ?? null, c.domains ?? null, c.consent ?? null, c.honorDnt ?? null, c.honorGpc ?? null,
        c.activityRetentionDays !== undefined, c.activityRetentionDays ?? null, c.callRetentionMonths !== undefined, c.callRetentionMonths ?? null],
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
