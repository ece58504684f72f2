import type { Queryable } from '../db/database';
import { forgetCallEvents } from '../integrations/call-outbox';

/**
 * SET clause for `UPDATE calls c ... FROM visits v` (v = the call's visit): a call about to lose its visit
 * keeps the visit's source, medium, campaign, keyword (term), content and landing page (unless it has
 * its own: the call-source-snapshot job usually copied them already), so reports still count it. The
 * landing page is kept without its query string and fragment (see migration 009). A restricted visit
 * lends nothing: its source must not outlive it on the call.
 */
export const KEEP_VISIT_SOURCE = `source = CASE WHEN c.source IS NULL AND v.restricted IS NOT TRUE THEN v.source ELSE c.source END,
       medium = CASE WHEN c.source IS NULL AND v.restricted IS NOT TRUE THEN v.medium ELSE c.medium END,
       campaign = CASE WHEN c.source IS NULL AND v.restricted IS NOT TRUE THEN v.campaign ELSE c.campaign END,
       term = CASE WHEN c.source IS NULL AND v.restricted IS NOT TRUE THEN v.term ELSE c.term END,
       content = CASE WHEN c.source IS NULL AND v.restricted IS NOT TRUE THEN v.content ELSE c.content END,
       landing_page = CASE WHEN c.source IS NULL AND v.restricted IS NOT TRUE THEN split_part(split_part(v.landing_page, '#', 1), '?', 1) ELSE c.landing_page END`;

export interface CallToAnonymise {
  id: string;
  call_sid: string;
  site_id: string | null;
  started_at: Date;
}

/**
 * Anonymises calls (retention and erasure alike): what remains is date, duration, status, attribution
 * method, source/medium/campaign (taken from the visit first if the call has none yet), static source,
 * site, pool and number; the caller, their location, the visit and repeat-caller links, recordings and
 * forwarded legs go (and with them any restriction: nothing personal is left to restrict), and so do the
 * calls' webhook events and deliveries, sent or pending (their bodies carry the caller). Runs inside the
 * caller's transaction.
 */
export async function anonymiseCalls(tx: Queryable, calls: readonly CallToAnonymise[], now: Date): Promise<{ calls: number; legs: number; events: number }> {
  if (!calls.length) return { calls: 0, legs: 0, events: 0 };
  const sids = calls.map((c) => c.call_sid);
  const ids = calls.map((c) => c.id);
  const legs = await tx.query<{ call_sid: string }>('DELETE FROM call_legs WHERE parent_call_sid = ANY($1::text[]) RETURNING call_sid', [sids]);
  const events = await tx.query('DELETE FROM call_events WHERE call_sid = ANY($1::text[])', [[...sids, ...legs.rows.map((l) => l.call_sid)]]);
  await forgetCallEvents(tx, ids);
  const updated = await tx.query(
    `UPDATE calls c SET
       ${KEEP_VISIT_SOURCE},
       from_number = NULL, from_index = NULL, caller_name = NULL, forwarded_from = NULL,
       from_city = NULL, from_state = NULL, from_zip = NULL, from_country = NULL, stir_verstat = NULL,
       visit_id = NULL, previous_call_id = NULL, lease_token = NULL, attribution_candidates = '[]'::jsonb,
       recording_sid = NULL, recording_url = NULL, recording_duration_seconds = NULL, recording_kind = NULL,
       dial_call_sid = NULL, needs_reattribution = false, restricted = false,
       anonymised_at = COALESCE(c.anonymised_at, $2), updated_at = now()
      FROM calls own LEFT JOIN visits v ON v.id = own.visit_id
     WHERE own.id = c.id AND c.id = ANY($1::uuid[])`,
    [ids, now],
  );
  // A later call of the same caller must not point back at these: the link would say whose it was.
  // Repeat callers are linked within a site, to an earlier call, so the search is bounded by both.
  const sites = [...new Set(calls.map((c) => c.site_id).filter((s): s is string => s !== null))];
  if (sites.length) {
    await tx.query(
      `UPDATE calls SET previous_call_id = NULL, updated_at = now()
        WHERE site_id = ANY($1::uuid[]) AND started_at >= $2 AND previous_call_id = ANY($3::uuid[])`,
      [sites, new Date(Math.min(...calls.map((c) => c.started_at.getTime()))), ids],
    );
  }
  return { calls: updated.rowCount, legs: legs.rowCount, events: events.rowCount };
}
