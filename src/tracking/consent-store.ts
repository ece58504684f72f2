import type { Queryable } from '../db/database';

export type ConsentState = 'given' | 'withdrawn';

/** A visitor's answer to a site's consent banner, as the tracking script reported it. */
export interface ConsentRecord {
  siteId: string;
  visitorId: string;
  state: ConsentState;
  /** Epoch ms. */
  at: number;
}

export interface ConsentStore {
  /** Appends one record: the history of a visitor's answers is the evidence, so nothing is overwritten. */
  insert(record: ConsentRecord): Promise<void>;
}

export class SqlConsentStore implements ConsentStore {
  constructor(private readonly db: Queryable) {}

  async insert(r: ConsentRecord): Promise<void> {
    // A site deleted meanwhile takes its records with it (ON DELETE CASCADE): one arriving after is dropped, not an error.
    await this.db.query(
      `INSERT INTO consents (site_id, visitor_id, state, recorded_at)
       SELECT id, $2, $3, $4 FROM sites WHERE id = $1`,
      [r.siteId, r.visitorId, r.state, new Date(r.at).toISOString()],
    );
  }
}
