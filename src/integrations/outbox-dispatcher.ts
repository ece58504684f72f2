import type { Database, Queryable } from '../db/database';
import type { CallRecord } from '../calls/call-store';
import { getLogger } from '../shared/logging/logger';
import type { Clock } from '../shared/clock';
import type { CallEvent, CallEventType, DeliveryTarget } from './delivery-target';
import type { SqlDeliveryStore } from './delivery-store';

const log = getLogger('outbox');
const BATCH = 100;
/** Batches per run, so one run of the job ends even when events keep arriving. */
const MAX_BATCHES = 20;

interface OutboxRow {
  id: string;
  type: CallEventType;
  call_id: string;
  call_sid: string;
  site_id: string;
  client_id: string;
  occurred_at: Date;
}

/**
 * Turns call events from the outbox into deliveries, one batch per transaction: the batch's outbox
 * rows are locked (rows another instance is dispatching are skipped, SKIP LOCKED), each target plans
 * its deliveries, they are inserted (an event planned twice adds nothing) and the rows are marked
 * dispatched, all or nothing. Restricted calls (GDPR art. 18) are dispatched to nobody.
 */
export class OutboxDispatcher {
  constructor(
    private readonly db: Database,
    private readonly calls: { findById(id: string, within: Queryable): Promise<CallRecord | null> },
    private readonly deliveries: SqlDeliveryStore,
    private readonly targets: readonly DeliveryTarget[],
    private readonly clock: Clock,
  ) {}

  async run(): Promise<{ events: number; deliveries: number }> {
    const total = { events: 0, deliveries: 0 };
    for (let i = 0; i < MAX_BATCHES; i += 1) {
      const batch = await this.db.transaction((tx) => this.dispatchBatch(tx));
      total.events += batch.events;
      total.deliveries += batch.deliveries;
      if (batch.events < BATCH) break;
    }
    if (total.events) log.info('call events dispatched', total);
    return total;
  }

  private async dispatchBatch(tx: Queryable): Promise<{ events: number; deliveries: number }> {
    const { rows } = await tx.query<OutboxRow>(
      `SELECT o.id::text AS id, o.type, o.call_id, o.call_sid, o.site_id, s.client_id, o.occurred_at
         FROM call_outbox o JOIN sites s ON s.id = o.site_id
        WHERE o.dispatched_at IS NULL
        ORDER BY o.id LIMIT $1 FOR UPDATE OF o SKIP LOCKED`,
      [BATCH],
    );
    const now = new Date(this.clock.now());
    let planned = 0;
    for (const row of rows) {
      const event: CallEvent = { id: row.id, type: row.type, callId: row.call_id, callSid: row.call_sid, siteId: row.site_id, clientId: row.client_id, occurredAt: row.occurred_at };
      const call = await this.calls.findById(event.callId, tx);
      // Gone (erased) or restricted: the event is consumed and sent nowhere.
      if (!call || call.restricted) continue;
      for (const target of this.targets) {
        planned += await this.deliveries.insertPlans(tx, event, target.kind, await target.plan(event, call, tx), now);
      }
    }
    if (rows.length) await tx.query('UPDATE call_outbox SET dispatched_at = $2 WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id), now]);
    return { events: rows.length, deliveries: planned };
  }
}
