import type { Queryable } from '../db/database';

export interface TrackingNumber {
  id: string;
  poolId: string | null;
  e164: string;
  country: string;
  provider: string;
  providerSid: string | null;
  status: 'active' | 'quarantined' | 'released';
}

export type NewTrackingNumber = Omit<TrackingNumber, 'id' | 'status'>;

/** Everything needed to answer a call to a tracking number, in one row. */
export interface NumberRoute {
  numberId: string;
  e164: string;
  status: TrackingNumber['status'];
  poolId: string | null;
  siteId: string | null;
  forwardTo: string | null;
}

export interface NumberStore {
  insert(n: NewTrackingNumber): Promise<TrackingNumber | null>;
  findExisting(e164s: readonly string[]): Promise<Set<string>>;
  listByPool(poolId: string): Promise<TrackingNumber[]>;
  findByIds(ids: readonly string[]): Promise<TrackingNumber[]>;
  findRoute(e164: string): Promise<NumberRoute | null>;
}

interface NumberRow {
  id: string;
  pool_id: string | null;
  e164: string;
  country: string;
  provider: string;
  provider_sid: string | null;
  status: TrackingNumber['status'];
}

const COLUMNS = 'id, pool_id, e164, country, provider, provider_sid, status';

const toNumber = (r: NumberRow): TrackingNumber => ({
  id: r.id,
  poolId: r.pool_id,
  e164: r.e164,
  country: r.country,
  provider: r.provider,
  providerSid: r.provider_sid,
  status: r.status,
});

export class SqlNumberStore implements NumberStore {
  constructor(private readonly db: Queryable) {}

  /** Returns null when the number is already known (another pool or a concurrent purchase). */
  async insert(n: NewTrackingNumber): Promise<TrackingNumber | null> {
    const { rows } = await this.db.query<NumberRow>(
      `INSERT INTO tracking_numbers (pool_id, e164, country, provider, provider_sid)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (e164) DO NOTHING RETURNING ${COLUMNS}`,
      [n.poolId, n.e164, n.country, n.provider, n.providerSid],
    );
    return rows[0] ? toNumber(rows[0]) : null;
  }

  async findExisting(e164s: readonly string[]): Promise<Set<string>> {
    if (!e164s.length) return new Set();
    const { rows } = await this.db.query<{ e164: string }>('SELECT e164 FROM tracking_numbers WHERE e164 = ANY($1::text[])', [e164s]);
    return new Set(rows.map((r) => r.e164));
  }

  async listByPool(poolId: string): Promise<TrackingNumber[]> {
    const { rows } = await this.db.query<NumberRow>(`SELECT ${COLUMNS} FROM tracking_numbers WHERE pool_id = $1 ORDER BY e164`, [poolId]);
    return rows.map(toNumber);
  }

  async findByIds(ids: readonly string[]): Promise<TrackingNumber[]> {
    if (!ids.length) return [];
    const { rows } = await this.db.query<NumberRow>(`SELECT ${COLUMNS} FROM tracking_numbers WHERE id = ANY($1::uuid[])`, [ids]);
    return rows.map(toNumber);
  }

  async findRoute(e164: string): Promise<NumberRoute | null> {
    const { rows } = await this.db.query<{ id: string; e164: string; status: TrackingNumber['status']; pool_id: string | null; site_id: string | null; forward_to: string | null }>(
      `SELECT n.id, n.e164, n.status, n.pool_id, p.site_id, p.forward_to
         FROM tracking_numbers n LEFT JOIN pools p ON p.id = n.pool_id
        WHERE n.e164 = $1`,
      [e164],
    );
    const r = rows[0];
    return r ? { numberId: r.id, e164: r.e164, status: r.status, poolId: r.pool_id, siteId: r.site_id, forwardTo: r.forward_to } : null;
  }
}
