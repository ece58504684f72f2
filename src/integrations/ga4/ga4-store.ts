import type { Queryable } from '../../db/database';
import { visitStartedAt } from '../../tracking/visit-ids';
import type { GaIds } from './ga4-event';

/** A site's GA4 settings as the target needs them: the secret still sealed (opened only to send). */
export interface Ga4Destination {
  measurementId: string;
  apiSecretSealed: string;
  eventName: string;
  enabled: boolean;
}

/** The site's GA4 destination, or null when none is configured (or the site is gone). */
export async function findGa4Destination(db: Queryable, siteId: string): Promise<Ga4Destination | null> {
  const { rows } = await db.query<{ ga4_measurement_id: string; ga4_api_secret_sealed: string; ga4_event_name: string; ga4_enabled: boolean }>(
    `SELECT ga4_measurement_id, ga4_api_secret_sealed, ga4_event_name, ga4_enabled
       FROM sites WHERE id = $1 AND ga4_measurement_id IS NOT NULL`,
    [siteId],
  );
  const r = rows[0];
  return r ? { measurementId: r.ga4_measurement_id, apiSecretSealed: r.ga4_api_secret_sealed, eventName: r.ga4_event_name, enabled: r.ga4_enabled } : null;
}

/**
 * The GA ids stored with a visit of `siteId`, or null when the visit is gone (retention, erasure) or
 * under restricted processing (it lends the call nothing then). `visits` is partitioned by start
 * month: the start read from the id lets Postgres look in one partition only.
 */
export async function findVisitGaIds(db: Queryable, siteId: string, visitId: string): Promise<GaIds | null> {
  const startedAt = visitStartedAt(visitId);
  const select = 'SELECT ga_client_id, ga_session_id FROM visits WHERE id = $1 AND site_id = $2 AND NOT restricted';
  // Ids issued before they carried their start time are looked up in every partition.
  const { rows } = await db.query<{ ga_client_id: string | null; ga_session_id: string | null }>(
    startedAt === null ? `${select} LIMIT 1` : `${select} AND started_at = $3`,
    startedAt === null ? [visitId, siteId] : [visitId, siteId, new Date(startedAt)],
  );
  const r = rows[0];
  return r ? { clientId: r.ga_client_id, sessionId: r.ga_session_id } : null;
}
