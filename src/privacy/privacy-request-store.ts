import type { Queryable } from '../db/database';
import type { SubjectKind } from './personal-data-cipher';
import type { PrivacyRequestType } from './subject';

export interface PrivacyRequest {
  id: string;
  clientId: string;
  type: PrivacyRequestType;
  subjectKind: SubjectKind;
  subjectIndex: string;
  /** Sealed subject, kept while the request may need it (an export); null after an erasure. */
  subjectSealed: string | null;
  status: 'completed' | 'failed';
  requestedBy: string;
  receivedAt: Date;
  dueAt: Date;
  completedAt: Date | null;
  outcome: Record<string, unknown>;
  liftedAt: Date | null;
  liftedBy: string | null;
}

export type NewPrivacyRequest = Omit<PrivacyRequest, 'id' | 'liftedAt' | 'liftedBy'>;

/** An active restriction or objection, with the site it applies to (a client's every site). */
export interface ActiveLimit {
  siteId: string;
  type: 'restriction' | 'objection';
  subjectKind: SubjectKind;
  subjectIndex: string;
}

export interface PrivacyRequestStore {
  insert(r: NewPrivacyRequest, db?: Queryable): Promise<PrivacyRequest>;
  list(clientIds: readonly string[] | null, limit: number): Promise<PrivacyRequest[]>;
  find(id: string): Promise<PrivacyRequest | null>;
  /** Requests of one subject within one client, most recent first. */
  ofSubject(clientId: string, subjectIndex: string, db?: Queryable): Promise<PrivacyRequest[]>;
  /** After an erasure no request keeps the subject, even sealed; the index stays for accountability. */
  forgetSealedSubject(clientId: string, subjectIndex: string, db?: Queryable): Promise<void>;
  lift(id: string, by: string, at: Date, db?: Queryable): Promise<PrivacyRequest | null>;
  activeLimits(): Promise<ActiveLimit[]>;
}

interface Row {
  id: string;
  client_id: string;
  type: PrivacyRequestType;
  subject_kind: SubjectKind;
  subject_index: string;
  subject_sealed: string | null;
  status: 'completed' | 'failed';
  requested_by: string;
  received_at: Date;
  due_at: Date;
  completed_at: Date | null;
  outcome: Record<string, unknown> | string;
  lifted_at: Date | null;
  lifted_by: string | null;
}

const COLUMNS = 'id, client_id, type, subject_kind, subject_index, subject_sealed, status, requested_by, received_at, due_at, completed_at, outcome, lifted_at, lifted_by';

const toRequest = (r: Row): PrivacyRequest => ({
  id: r.id,
  clientId: r.client_id,
  type: r.type,
  subjectKind: r.subject_kind,
  subjectIndex: r.subject_index,
  subjectSealed: r.subject_sealed,
  status: r.status,
  requestedBy: r.requested_by,
  receivedAt: r.received_at,
  dueAt: r.due_at,
  completedAt: r.completed_at,
  outcome: typeof r.outcome === 'string' ? (JSON.parse(r.outcome) as Record<string, unknown>) : r.outcome,
  liftedAt: r.lifted_at,
  liftedBy: r.lifted_by,
});

export class SqlPrivacyRequestStore implements PrivacyRequestStore {
  constructor(private readonly db: Queryable) {}

  async insert(r: NewPrivacyRequest, db: Queryable = this.db): Promise<PrivacyRequest> {
    const { rows } = await db.query<Row>(
      `INSERT INTO privacy_requests (client_id, type, subject_kind, subject_index, subject_sealed, status, requested_by, received_at, due_at, completed_at, outcome)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb) RETURNING ${COLUMNS}`,
      [r.clientId, r.type, r.subjectKind, r.subjectIndex, r.subjectSealed, r.status, r.requestedBy, r.receivedAt, r.dueAt, r.completedAt, JSON.stringify(r.outcome)],
    );
    return toRequest(rows[0]);
  }

  async list(clientIds: readonly string[] | null, limit: number): Promise<PrivacyRequest[]> {
    const { rows } = clientIds
      ? await this.db.query<Row>(`SELECT ${COLUMNS} FROM privacy_requests WHERE client_id = ANY($1::uuid[]) ORDER BY received_at DESC, id DESC LIMIT $2`, [clientIds, limit])
      : await this.db.query<Row>(`SELECT ${COLUMNS} FROM privacy_requests ORDER BY received_at DESC, id DESC LIMIT $1`, [limit]);
    return rows.map(toRequest);
  }

  async find(id: string): Promise<PrivacyRequest | null> {
    const { rows } = await this.db.query<Row>(`SELECT ${COLUMNS} FROM privacy_requests WHERE id = $1`, [id]);
    return rows[0] ? toRequest(rows[0]) : null;
  }

  async ofSubject(clientId: string, subjectIndex: string, db: Queryable = this.db): Promise<PrivacyRequest[]> {
    const { rows } = await db.query<Row>(
      `SELECT ${COLUMNS} FROM privacy_requests WHERE client_id = $1 AND subject_index = $2 ORDER BY received_at DESC, id DESC`,
      [clientId, subjectIndex],
    );
    return rows.map(toRequest);
  }

  async forgetSealedSubject(clientId: string, subjectIndex: string, db: Queryable = this.db): Promise<void> {
    await db.query('UPDATE privacy_requests SET subject_sealed = NULL WHERE client_id = $1 AND subject_index = $2', [clientId, subjectIndex]);
  }

  async lift(id: string, by: string, at: Date, db: Queryable = this.db): Promise<PrivacyRequest | null> {
    const { rows } = await db.query<Row>(
      `UPDATE privacy_requests SET lifted_at = $3, lifted_by = $2 WHERE id = $1 AND type = 'restriction' AND lifted_at IS NULL RETURNING ${COLUMNS}`,
      [id, by, at],
    );
    return rows[0] ? toRequest(rows[0]) : null;
  }

  async activeLimits(): Promise<ActiveLimit[]> {
    const { rows } = await this.db.query<{ site_id: string; type: 'restriction' | 'objection'; subject_kind: SubjectKind; subject_index: string }>(
      `SELECT s.id AS site_id, r.type, r.subject_kind, r.subject_index
         FROM privacy_requests r JOIN sites s ON s.client_id = r.client_id
        WHERE r.type IN ('restriction', 'objection') AND r.lifted_at IS NULL AND r.status = 'completed'`,
    );
    return rows.map((r) => ({ siteId: r.site_id, type: r.type, subjectKind: r.subject_kind, subjectIndex: r.subject_index }));
  }
}
