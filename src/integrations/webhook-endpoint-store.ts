import type { Database, Queryable } from '../db/database';
import type { PersonalDataCipher } from '../privacy/personal-data-cipher';
import type { CallEventType } from './delivery-target';

export interface WebhookEndpoint {
  id: string;
  clientId: string;
  url: string;
  events: CallEventType[];
  description: string | null;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export type WebhookChanges = Partial<Pick<WebhookEndpoint, 'url' | 'events' | 'description' | 'active'>>;

interface EndpointRow {
  id: string;
  client_id: string;
  url: string;
  events: CallEventType[];
  description: string | null;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, client_id, url, events, description, active, created_at, updated_at';

const toEndpoint = (r: EndpointRow): WebhookEndpoint => ({
  id: r.id,
  clientId: r.client_id,
  url: r.url,
  events: r.events,
  description: r.description,
  active: r.active,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/**
 * Clients' webhook endpoints. The signing secret is sealed at rest and only ever leaves this store
 * through `signingSecretOf`, for the sender; no read of an endpoint carries it.
 */
export class SqlWebhookEndpointStore {
  constructor(
    private readonly db: Database,
    private readonly cipher: PersonalDataCipher,
  ) {}

  /** null when the client does not exist. */
  async create(e: { clientId: string; url: string; events: CallEventType[]; description: string | null; secret: string; now: Date }): Promise<WebhookEndpoint | null> {
    const { rows } = await this.db.query<EndpointRow>(
      `INSERT INTO webhook_endpoints (client_id, url, events, description, secret_sealed, created_at, updated_at)
       SELECT id, $2, $3::text[], $4, $5, $6, $6 FROM clients WHERE id = $1 RETURNING ${COLUMNS}`,
      [e.clientId, e.url, e.events, e.description, this.cipher.seal(e.secret), e.now],
    );
    return rows[0] ? toEndpoint(rows[0]) : null;
  }

  async findById(id: string): Promise<WebhookEndpoint | null> {
    const { rows } = await this.db.query<EndpointRow>(`SELECT ${COLUMNS} FROM webhook_endpoints WHERE id = $1`, [id]);
    return rows[0] ? toEndpoint(rows[0]) : null;
  }

  /** Of the given clients (undefined = every client), oldest first. */
  async list(clientIds?: readonly string[]): Promise<WebhookEndpoint[]> {
    const { rows } = clientIds
      ? await this.db.query<EndpointRow>(`SELECT ${COLUMNS} FROM webhook_endpoints WHERE client_id = ANY($1::uuid[]) ORDER BY created_at, id`, [clientIds])
      : await this.db.query<EndpointRow>(`SELECT ${COLUMNS} FROM webhook_endpoints ORDER BY created_at, id`);
    return rows.map(toEndpoint);
  }

  async update(id: string, c: WebhookChanges, now: Date): Promise<WebhookEndpoint | null> {
    const { rows } = await this.db.query<EndpointRow>(
      `UPDATE webhook_endpoints SET url = COALESCE($2, url), events = COALESCE($3::text[], events),
              description = CASE WHEN $4 THEN $5 ELSE description END, active = COALESCE($6, active), updated_at = $7
        WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, c.url ?? null, c.events ?? null, c.description !== undefined, c.description ?? null, c.active ?? null, now],
    );
    return rows[0] ? toEndpoint(rows[0]) : null;
  }

  async rotateSecret(id: string, secret: string, now: Date): Promise<WebhookEndpoint | null> {
    const { rows } = await this.db.query<EndpointRow>(`UPDATE webhook_endpoints SET secret_sealed = $2, updated_at = $3 WHERE id = $1 RETURNING ${COLUMNS}`, [id, this.cipher.seal(secret), now]);
    return rows[0] ? toEndpoint(rows[0]) : null;
  }

  /** Deletes the endpoint and closes its pending deliveries in one transaction; false when there was none. */
  async delete(id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { rowCount } = await tx.query('DELETE FROM webhook_endpoints WHERE id = $1', [id]);
      if (!rowCount) return false;
      await tx.query(
        `UPDATE deliveries SET status = 'skipped', next_attempt_at = NULL, locked_until = NULL, last_error = 'endpoint deleted'
          WHERE target = 'webhook' AND target_id = $1 AND status = 'pending'`,
        [id],
      );
      return true;
    });
  }

  /** The active endpoints of `clientId` subscribed to `event` (inside the dispatcher's transaction). */
  async subscribers(tx: Queryable, clientId: string, event: CallEventType): Promise<{ id: string }[]> {
    const { rows } = await tx.query<{ id: string }>('SELECT id FROM webhook_endpoints WHERE client_id = $1 AND active AND $2 = ANY(events) ORDER BY created_at, id', [clientId, event]);
    return rows;
  }

  /** Where to send and with which key, for the sender only; null when the endpoint is gone. */
  async signingTarget(id: string): Promise<{ url: string; secret: string; active: boolean } | null> {
    const { rows } = await this.db.query<{ url: string; secret_sealed: string; active: boolean }>('SELECT url, secret_sealed, active FROM webhook_endpoints WHERE id = $1', [id]);
    const r = rows[0];
    return r ? { url: r.url, secret: this.cipher.open(r.secret_sealed), active: r.active } : null;
  }
}
