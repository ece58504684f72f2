import type { Queryable } from '../db/database';

/** 'pool' numbers rotate between visits; 'overflow' is shown when the pool is exhausted; 'static' credits a fixed source. */
export type NumberRole = 'pool' | 'overflow' | 'static';

export interface TrackingNumber {
  id: string;
  poolId: string | null;
  role: NumberRole;
  staticSource: string | null;
  e164: string;
  country: string;
  provider: string;
  providerSid: string | null;
  status: 'active' | 'quarantined' | 'released';
}

export type NewTrackingNumber = Omit<TrackingNumber, 'id' | 'status' | 'role' | 'staticSource'> & { role?: NumberRole; staticSource?: string | null };

/** Everything needed to answer a call to a tracking number, in one row. */
export interface NumberRoute {
  numberId: string;
  e164: string;
  status: TrackingNumber['status'];
  role: NumberRole;
  staticSource: string | null;
  poolId: string | null;
  siteId: string | null;
  forwardTo: string | null;
}

export interface NumberStore {
  insert(n: NewTrackingNumber): Promise<TrackingNumber | null>;
  findExisting(e164s: readonly string[]): Promise<Set<string>>;
  listByPool(poolId: string): Promise<TrackingNumber[]>;
  /** Active numbers of the pool's rotation (role 'pool'): what the pool store should hold. */
  listRotation(poolId: string): Promise<TrackingNumber[]>;
  findByIds(ids: readonly string[]): Promise<TrackingNumber[]>;
  findRoute(e164: string): Promise<NumberRoute | null>;
}

interface NumberRow {
  id: string;
  pool_id: string | null;
  role: NumberRole;
  static_source: string | null;
  e164: string;
  country: string;
  provider: string;
  provider_sid: string | null;
  status: TrackingNumber['status'];
}

const COLUMNS = 'id, pool_id, role, static_source, e164, country, provider, provider_sid, status';

const toNumber = (r: NumberRow): TrackingNumber => ({
  id: r.id,
  poolId: r.pool_id,
  role: r.role,
  staticSource: r.static_source,
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
      `INSERT INTO tracking_numbers (pool_id, e164, country, provider, provider_sid, role, static_source)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (e164) DO NOTHING RETURNING ${COLUMNS}`,
      [n.poolId, n.e164, n.country, n.provider, n.providerSid, n.role ?? 'pool', n.staticSource ?? null],
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

  async listRotation(poolId: string): Promise<TrackingNumber[]> {
    const { rows } = await this.db.query<NumberRow>(`SELECT ${COLUMNS} FROM tracking_numbers WHERE pool_id = $1 AND role = 'pool' AND status = 'active' ORDER BY e164`, [poolId]);
    return rows.map(toNumber);
  }

  async findByIds(ids: readonly string[]): Promise<TrackingNumber[]> {
    if (!ids.length) return [];
    const { rows } = await this.db.query<NumberRow>(`SELECT ${COLUMNS} FROM tracking_numbers WHERE id = ANY($1::uuid[])`, [ids]);
    return rows.map(toNumber);
  }

  async findRoute(e164: string): Promise<NumberRoute | null> {
    const { rows } = await this.db.query<{ id: string; e164: string; status: TrackingNumber['status']; role: NumberRole; static_source: string | null; pool_id: string | null; site_id: string | null; forward_to: string | null }>(
      `SELECT n.id, n.e164, n.status, n.role, n.static_source, n.pool_id, p.site_id, p.forward_to
         FROM tracking_numbers n LEFT JOIN pools p ON p.id = n.pool_id
        WHERE n.e164 = $1`,
      [e164],
    );
    const r = rows[0];
    return r ? { numberId: r.id, e164: r.e164, status: r.status, role: r.role, staticSource: r.static_source, poolId: r.pool_id, siteId: r.site_id, forwardTo: r.forward_to } : null;
  }
}
