import type { Queryable } from '../db/database';
import { UUID } from '../shared/ids';

/** The kinds of id an admin request can carry, each owned by one or more clients. */
export type OwnedKind = 'client' | 'site' | 'pool' | 'number' | 'call' | 'privacyRequest' | 'apiKey' | 'webhook' | 'delivery';

const OWNERS: Record<OwnedKind, string> = {
  client: 'SELECT id::text AS client_id FROM clients WHERE id = $1',
  site: 'SELECT client_id::text FROM sites WHERE id = $1',
  pool: 'SELECT s.client_id::text FROM pools p JOIN sites s ON s.id = p.site_id WHERE p.id = $1',
  // A number outside any pool (released, or never placed) belongs to nobody but the operator.
  number: 'SELECT s.client_id::text FROM tracking_numbers n JOIN pools p ON p.id = n.pool_id JOIN sites s ON s.id = p.site_id WHERE n.id = $1',
  call: 'SELECT s.client_id::text FROM calls c JOIN sites s ON s.id = c.site_id WHERE c.id = $1',
  privacyRequest: 'SELECT client_id::text FROM privacy_requests WHERE id = $1',
  apiKey: 'SELECT client_id::text FROM api_key_clients WHERE key_id = $1',
  webhook: 'SELECT client_id::text FROM webhook_endpoints WHERE id = $1',
  delivery: 'SELECT client_id::text FROM deliveries WHERE id = $1',
};

const EXISTS: Record<OwnedKind, string> = {
  client: 'SELECT 1 FROM clients WHERE id = $1',
  site: 'SELECT 1 FROM sites WHERE id = $1',
  pool: 'SELECT 1 FROM pools WHERE id = $1',
  number: 'SELECT 1 FROM tracking_numbers WHERE id = $1',
  call: 'SELECT 1 FROM calls WHERE id = $1',
  privacyRequest: 'SELECT 1 FROM privacy_requests WHERE id = $1',
  apiKey: 'SELECT 1 FROM api_keys WHERE id = $1',
  webhook: 'SELECT 1 FROM webhook_endpoints WHERE id = $1',
  delivery: 'SELECT 1 FROM deliveries WHERE id = $1',
};

/**
 * Which clients own a record, so the admin API can check every id a request carries against the
 * caller's clients. One indexed lookup per id; the admin API is not a hot path.
 */
export class TenantResolver {
  constructor(private readonly db: Queryable) {}

  /** The owning clients; [] when the record does not exist or belongs to no client. */
  async ownersOf(kind: OwnedKind, id: string): Promise<string[]> {
    if (!UUID.test(id)) return [];
    const { rows } = await this.db.query<{ client_id: string }>(OWNERS[kind], [id]);
    return rows.map((r) => r.client_id);
  }

  async exists(kind: OwnedKind, id: string): Promise<boolean> {
    if (!UUID.test(id)) return false;
    return (await this.db.query(EXISTS[kind], [id])).rowCount > 0;
  }
}
