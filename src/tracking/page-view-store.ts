import type { Queryable } from '../db/database';

export type PageViewKind = 'entry' | 'view' | 'exit';

export interface PageView {
  /** Given when the view is received, so a batch written twice inserts each view once. */
  id: string;
  siteId: string;
  visitId: string;
  kind: PageViewKind;
  url: string;
  title: string | null;
  /** Epoch ms. */
  at: number;
}

export interface PageViewStore {
  /** Idempotent: views already stored (same id, and so the same time) are skipped. */
  insertMany(views: readonly PageView[]): Promise<void>;
}

export class SqlPageViewStore implements PageViewStore {
  constructor(private readonly db: Queryable) {}

  async insertMany(views: readonly PageView[]): Promise<void> {
    if (!views.length) return;
    const rows = views.map((v) => ({ id: v.id, site_id: v.siteId, visit_id: v.visitId, kind: v.kind, url: v.url, title: v.title, viewed_at: new Date(v.at).toISOString() }));
    // Views of a site deleted meanwhile are dropped (the join), rather than failing the whole batch.
    // page_views is partitioned by month of viewed_at, so its key is (id, viewed_at).
    await this.db.query(
      `INSERT INTO page_views (id, site_id, visit_id, kind, url, title, viewed_at)
       SELECT r.id, r.site_id, r.visit_id, r.kind, r.url, r.title, r.viewed_at
         FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, site_id uuid, visit_id text, kind text, url text, title text, viewed_at timestamptz)
         JOIN sites s ON s.id = r.site_id
       ON CONFLICT (id, viewed_at) DO NOTHING`,
      [JSON.stringify(rows)],
    );
  }
}
