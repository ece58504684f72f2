import type { Queryable } from '../db/database';

/**
 * Who did what to which record, and when: every admin write and every privacy action. Targets are ids
 * and details are counts or field names, never personal data in clear.
 */
export interface AuditEntry {
  actor: string;
  clientId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details?: Record<string, unknown>;
}

export interface AuditRecord extends AuditEntry {
  id: string;
  at: Date;
}

export class AuditLog {
  constructor(private readonly db: Queryable) {}

  async record(e: AuditEntry, db: Queryable = this.db): Promise<void> {
    await db.query('INSERT INTO audit_log (actor, client_id, action, target_type, target_id, details) VALUES ($1, $2, $3, $4, $5, $6::jsonb)', [
      e.actor,
      e.clientId,
      e.action,
      e.targetType,
      e.targetId,
      JSON.stringify(e.details ?? {}),
    ]);
  }

  /** clientIds null = every entry (the operator), including those of no client. */
  async list(q: { clientIds: readonly string[] | null; limit: number }): Promise<AuditRecord[]> {
    const { rows } = await this.db.query<{ id: string; at: Date; actor: string; client_id: string | null; action: string; target_type: string | null; target_id: string | null; details: Record<string, unknown> | string }>(
      `SELECT id, at, actor, client_id, action, target_type, target_id, details FROM audit_log
        WHERE ($1::uuid[] IS NULL OR client_id = ANY($1::uuid[])) ORDER BY at DESC, id DESC LIMIT $2`,
      [q.clientIds, q.limit],
    );
    return rows.map((r) => ({
      id: String(r.id),
      at: r.at,
      actor: r.actor,
      clientId: r.client_id,
      action: r.action,
      targetType: r.target_type,
      targetId: r.target_id,
      details: typeof r.details === 'string' ? (JSON.parse(r.details) as Record<string, unknown>) : r.details,
    }));
  }
}
