import type { Queryable } from '../db/database';

export interface Site {
  id: string;
  clientId: string;
  name: string;
  siteKey: string;
  domains: string[];
  trackingEnabled: boolean;
  swapTargets: string[];
  createdAt: Date;
}

export type NewSite = Omit<Site, 'id' | 'createdAt'>;

export interface SiteStore {
  create(site: NewSite): Promise<Site>;
  findById(id: string): Promise<Site | null>;
  findByKey(siteKey: string): Promise<Site | null>;
  listByClient(clientId: string): Promise<Site[]>;
}

interface SiteRow {
  id: string;
  client_id: string;
  name: string;
  site_key: string;
  domains: string[];
  tracking_enabled: boolean;
  swap_targets: string[];
  created_at: Date;
}

const COLUMNS = 'id, client_id, name, site_key, domains, tracking_enabled, swap_targets, created_at';

const toSite = (r: SiteRow): Site => ({
  id: r.id,
  clientId: r.client_id,
  name: r.name,
  siteKey: r.site_key,
  domains: r.domains,
  trackingEnabled: r.tracking_enabled,
  swapTargets: r.swap_targets,
  createdAt: r.created_at,
});

export class SqlSiteStore implements SiteStore {
  constructor(private readonly db: Queryable) {}

  async create(s: NewSite): Promise<Site> {
    const { rows } = await this.db.query<SiteRow>(
      `INSERT INTO sites (client_id, name, site_key, domains, tracking_enabled, swap_targets)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [s.clientId, s.name, s.siteKey, s.domains, s.trackingEnabled, s.swapTargets],
    );
    return toSite(rows[0]);
  }

  async findById(id: string): Promise<Site | null> {
    const { rows } = await this.db.query<SiteRow>(`SELECT ${COLUMNS} FROM sites WHERE id = $1`, [id]);
    return rows[0] ? toSite(rows[0]) : null;
  }

  async findByKey(siteKey: string): Promise<Site | null> {
    const { rows } = await this.db.query<SiteRow>(`SELECT ${COLUMNS} FROM sites WHERE site_key = $1`, [siteKey]);
    return rows[0] ? toSite(rows[0]) : null;
  }

  async listByClient(clientId: string): Promise<Site[]> {
    const { rows } = await this.db.query<SiteRow>(`SELECT ${COLUMNS} FROM sites WHERE client_id = $1 ORDER BY created_at, id`, [clientId]);
    return rows.map(toSite);
  }
}
