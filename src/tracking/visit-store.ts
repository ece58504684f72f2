import type { Queryable } from '../db/database';
import type { VisitSource } from './domain/classify-source';

export interface NewVisit {
  id: string;
  siteId: string;
  visitorId: string;
  title: string | null;
  source: VisitSource;
  at: Date;
}

export interface VisitStore {
  insert(v: NewVisit): Promise<void>;
  /** Marks the visit seen; false when no such visit exists for this site. */
  touch(siteId: string, visitId: string, at: Date): Promise<boolean>;
}

export class SqlVisitStore implements VisitStore {
  constructor(private readonly db: Queryable) {}

  async insert(v: NewVisit): Promise<void> {
    const s = v.source;
    await this.db.query(
      `INSERT INTO visits (id, site_id, visitor_id, started_at, last_seen_at, landing_page, referrer, title,
                           source, medium, campaign, term, content, gclid, gbraid, wbraid, msclkid, fbclid)
       VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
       ON CONFLICT (id) DO NOTHING`,
      [v.id, v.siteId, v.visitorId, v.at, s.landingPage, s.referrer, v.title, s.source, s.medium, s.campaign, s.term, s.content,
        s.clickIds.gclid ?? null, s.clickIds.gbraid ?? null, s.clickIds.wbraid ?? null, s.clickIds.msclkid ?? null, s.clickIds.fbclid ?? null],
    );
  }

  async touch(siteId: string, visitId: string, at: Date): Promise<boolean> {
    const r = await this.db.query('UPDATE visits SET last_seen_at = GREATEST(last_seen_at, $3) WHERE id = $1 AND site_id = $2', [visitId, siteId, at]);
    return r.rowCount > 0;
  }
}
