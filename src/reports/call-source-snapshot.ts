import type { Queryable } from '../db/database';
import { getLogger } from '../shared/logging/logger';

const log = getLogger('call-source-snapshot');
/** Calls per statement: one short transaction each, so the job never holds many row locks. */
const BATCH = 500;
/** Batches per run at most: a backlog (first run after an upgrade) is worked off over several minutes. */
const MAX_BATCHES = 40;

/**
 * Copies the credited visit's attribution (source, medium, campaign, keyword, content and landing page
 * without its query string) onto calls that do not have it yet: the 'call-source-snapshot' job, every
 * minute. Reports then read `calls` alone, over a year, long after the visit was deleted (30 days by
 * default). Only a call whose attribution is settled (not waiting for re-attribution) and not
 * restricted takes a snapshot, and only from a visit that is not restricted; a call whose visit has not
 * reached Postgres yet is tried again next run. KEEP_VISIT_SOURCE does the same before a visit is deleted.
 */
export class CallSourceSnapshot {
  constructor(private readonly db: Queryable) {}

  async run(signal?: AbortSignal): Promise<{ calls: number }> {
    let calls = 0;
    for (let batch = 0; batch < MAX_BATCHES; batch += 1) {
      signal?.throwIfAborted();
      const copied = await this.copyBatch(BATCH);
      calls += copied;
      if (copied < BATCH) break;
    }
    if (calls) log.info('visit sources copied onto calls', { calls });
    return { calls };
  }

  /** The pending calls come from calls_source_pending_idx (calls with a visit and no source yet). */
  private async copyBatch(limit: number): Promise<number> {
    const { rowCount } = await this.db.query(
      `UPDATE calls c SET
         source = p.source, medium = p.medium, campaign = p.campaign, term = p.term, content = p.content,
         landing_page = split_part(split_part(p.landing_page, '#', 1), '?', 1), updated_at = now()
        FROM (SELECT pc.id, v.source, v.medium, v.campaign, v.term, v.content, v.landing_page
                FROM calls pc
                JOIN visits v ON v.id = pc.visit_id AND NOT v.restricted
               WHERE pc.source IS NULL AND pc.visit_id IS NOT NULL
                 AND pc.inbound_recorded AND NOT pc.needs_reattribution AND NOT pc.restricted
               ORDER BY pc.started_at
               LIMIT $1) p
       WHERE c.id = p.id AND c.source IS NULL`,
      [limit],
    );
    return rowCount;
  }
}
