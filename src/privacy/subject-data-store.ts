import type { Database, Queryable } from '../db/database';
import { PersonalDataCipher, type SubjectKind } from './personal-data-cipher';
import { RECTIFIABLE_FIELDS, SEALED_COLUMNS } from './subject';
import { anonymiseCalls, KEEP_VISIT_SOURCE, type CallToAnonymise } from './anonymise-calls';

/** One subject within one client: every statement below is confined to the client's sites. */
export interface SubjectScope {
  clientId: string;
  kind: SubjectKind;
  /** E.164 number or visitor id, in clear (in memory only). */
  value: string;
  /** PersonalDataCipher.index(kind, value). */
  index: string;
}

export type Row = Record<string, unknown>;

/** Everything held about a subject, personal fields opened, as an access or portability export. */
export interface SubjectData {
  calls: Row[];
  callLegs: Row[];
  visits: Row[];
  pageViews: Row[];
  leases: Row[];
  consents: Row[];
}

export type Counts = Record<string, number>;

const SITES = '(SELECT id FROM sites WHERE client_id = $1)';
/** Columns sealed at rest, opened for exports. */
const SEALED_CALL_COLUMNS = ['from_number', 'caller_name', 'forwarded_from'];
/** Internal lookup keys: derived, meaningless to the subject, and usable only with our key. */
const INTERNAL_COLUMNS = ['from_index'];


/**
 * The SQL behind data-subject requests. Phone subjects are found through calls.from_index, visitor
 * subjects through visits.visitor_id; nothing outside the client's own sites is read or changed.
 */
export class SqlSubjectDataStore {
  constructor(
    private readonly db: Database,
    private readonly cipher: PersonalDataCipher,
  ) {}

  async visitIdsOf(s: SubjectScope, db: Queryable = this.db): Promise<string[]> {
    if (s.kind !== 'visitor') return [];
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM visits WHERE site_id IN ${SITES} AND visitor_id = $2 ORDER BY started_at`, [s.clientId, s.value]);
    return rows.map((r) => r.id);
  }

  async collect(s: SubjectScope): Promise<SubjectData> {
    if (s.kind === 'phone') {
      const calls = (await this.db.query<Row>(`SELECT * FROM calls WHERE site_id IN ${SITES} AND from_index = $2 ORDER BY started_at`, [s.clientId, s.index])).rows;
      const sids = calls.map((c) => c.call_sid as string);
      const callLegs = sids.length ? (await this.db.query<Row>('SELECT * FROM call_legs WHERE parent_call_sid = ANY($1::text[]) ORDER BY started_at', [sids])).rows : [];
      return { calls: calls.map((c) => this.openCall(c)), callLegs, visits: [], pageViews: [], leases: [], consents: [] };
    }
    const visitIds = await this.visitIdsOf(s);
    const visits = (await this.db.query<Row>(`SELECT * FROM visits WHERE site_id IN ${SITES} AND visitor_id = $2 ORDER BY started_at`, [s.clientId, s.value])).rows;
    const byVisit = async (sql: string) => (visitIds.length ? (await this.db.query<Row>(sql, [visitIds])).rows : []);
    // A call credited to the visitor's visit may have been made by someone else: its caller is not shown.
    const calls = await byVisit(
      `SELECT id, call_sid, site_id, pool_id, started_at, answered_at, ended_at, status, duration_seconds, talk_seconds, visit_id, attribution
         FROM calls WHERE visit_id = ANY($1::text[]) ORDER BY started_at`,
    );
    return {
      calls,
      callLegs: [],
      visits: visits.map((v) => ({ ...v, ip_address: openIfSealed(this.cipher, v.ip_address) })),
      pageViews: await byVisit('SELECT * FROM page_views WHERE visit_id = ANY($1::text[]) ORDER BY viewed_at'),
      leases: await byVisit('SELECT * FROM leases WHERE visit_id = ANY($1::text[]) ORDER BY started_at'),
      consents: (await this.db.query<Row>(`SELECT * FROM consents WHERE site_id IN ${SITES} AND visitor_id = $2 ORDER BY recorded_at`, [s.clientId, s.value])).rows,
    };
  }

  /**
   * Erasure in Postgres (one transaction, given by the caller). A caller's calls stay only as
   * anonymised rows (the client's statistics still count them); a visitor's visits, page views,
   * leases and consents are deleted, and calls credited to those visits keep only the source.
   */
  async erase(s: SubjectScope, tx: Queryable): Promise<Counts> {
    if (s.kind === 'phone') {
      const { rows } = await tx.query<CallToAnonymise>(`SELECT id, call_sid, site_id, started_at FROM calls WHERE site_id IN ${SITES} AND from_index = $2`, [s.clientId, s.index]);
      const done = await anonymiseCalls(tx, rows, new Date());
      return { calls: done.calls, callLegs: done.legs };
    }
    const visitIds = await this.visitIdsOf(s, tx);
    const counts: Counts = { visits: 0, pageViews: 0, leases: 0, consents: 0, callsUnlinked: 0 };
    if (visitIds.length) {
      await this.keepSourceOnCalls(tx, 'c.visit_id = ANY($1::text[])', [visitIds]);
      counts.callsUnlinked = (await tx.query('UPDATE calls SET visit_id = NULL, lease_token = NULL, updated_at = now() WHERE visit_id = ANY($1::text[])', [visitIds])).rowCount;
      // Ambiguous calls list every candidate visit.
      await tx.query(
        `UPDATE calls SET attribution_candidates = COALESCE((SELECT jsonb_agg(e) FROM jsonb_array_elements(attribution_candidates) e WHERE NOT (e->>'visitId' = ANY($2::text[]))), '[]'::jsonb)
          WHERE site_id IN ${SITES} AND EXISTS (SELECT 1 FROM jsonb_array_elements(attribution_candidates) e WHERE e->>'visitId' = ANY($2::text[]))`,
        [s.clientId, visitIds],
      );
      counts.pageViews = (await tx.query('DELETE FROM page_views WHERE visit_id = ANY($1::text[])', [visitIds])).rowCount;
      counts.leases = (await tx.query('DELETE FROM leases WHERE visit_id = ANY($1::text[])', [visitIds])).rowCount;
      counts.visits = (await tx.query('DELETE FROM visits WHERE id = ANY($1::text[])', [visitIds])).rowCount;
    }
    counts.consents = (await tx.query(`DELETE FROM consents WHERE site_id IN ${SITES} AND visitor_id = $2`, [s.clientId, s.value])).rowCount;
    return counts;
  }

  /** Rectification: `changes` maps API field names (RECTIFIABLE_FIELDS) to new values. */
  async rectify(s: SubjectScope, changes: Record<string, string | null>, tx: Queryable): Promise<Counts> {
    const fields = RECTIFIABLE_FIELDS[s.kind] as Record<string, string>;
    const sets: string[] = [];
    const params: unknown[] = [s.clientId, s.kind === 'phone' ? s.index : s.value];
    for (const [field, value] of Object.entries(changes)) {
      const column = fields[field];
      params.push(SEALED_COLUMNS.has(column) ? this.cipher.sealNullable(value) : value);
      sets.push(`${column} = $${params.length}`);
    }
    const table = s.kind === 'phone' ? 'calls' : 'visits';
    const match = s.kind === 'phone' ? 'from_index = $2' : 'visitor_id = $2';
    const updated = await tx.query(`UPDATE ${table} SET ${sets.join(', ')} WHERE site_id IN ${SITES} AND ${match}`, params);
    return { [table]: updated.rowCount };
  }

  /** Restriction on or off for the subject's existing records. */
  async setRestricted(s: SubjectScope, restricted: boolean, tx: Queryable): Promise<Counts> {
    if (s.kind === 'phone') {
      return { calls: (await tx.query(`UPDATE calls SET restricted = $3 WHERE site_id IN ${SITES} AND from_index = $2`, [s.clientId, s.index, restricted])).rowCount };
    }
    const visits = await tx.query(`UPDATE visits SET restricted = $3 WHERE site_id IN ${SITES} AND visitor_id = $2`, [s.clientId, s.value, restricted]);
    if (restricted) {
      // Calls credited to these visits carry a copy of the visit's source for reports (call-source-snapshot):
      // it goes too, so no call, report, export or webhook shows it while restricted. Once lifted, the job
      // copies it again from the visit.
      await tx.query(
        `UPDATE calls SET source = NULL, medium = NULL, campaign = NULL, term = NULL, content = NULL, landing_page = NULL, updated_at = now()
          WHERE site_id IN ${SITES} AND visit_id IN (SELECT id FROM visits WHERE site_id IN ${SITES} AND visitor_id = $2)`,
        [s.clientId, s.value],
      );
    }
    return { visits: visits.rowCount };
  }

  /**
   * The pool store ends a visitor's live leases without an 'ended' event (PoolStore.forgetVisits), so
   * their history rows are closed here: an open row would still credit calls re-attributed from the
   * history, and a pool rebuilt from Postgres would give the visitor their number back.
   */
  async closeLeases(visitIds: readonly string[], at: Date, db: Queryable = this.db): Promise<number> {
    if (!visitIds.length) return 0;
    const closed = await db.query(`UPDATE leases SET ended_at = $2, end_reason = 'privacy' WHERE visit_id = ANY($1::text[]) AND ended_at IS NULL`, [visitIds, at]);
    return closed.rowCount;
  }

  /** A call about to lose its visit keeps the visit's source/medium/campaign for the statistics. */
  private async keepSourceOnCalls(tx: Queryable, where: string, params: unknown[]): Promise<void> {
    await tx.query(
      `UPDATE calls c SET ${KEEP_VISIT_SOURCE}
         FROM visits v WHERE v.id = c.visit_id AND ${where}`,
      params,
    );
  }

  private openCall(c: Row): Row {
    const out: Row = {};
    for (const [k, v] of Object.entries(c)) {
      if (INTERNAL_COLUMNS.includes(k)) continue;
      out[k] = SEALED_CALL_COLUMNS.includes(k) ? openIfSealed(this.cipher, v) : v;
    }
    return out;
  }
}

function openIfSealed(cipher: PersonalDataCipher, v: unknown): unknown {
  return typeof v === 'string' && PersonalDataCipher.isSealed(v) ? cipher.open(v) : v;
}
