import type { Queryable } from '../db/database';
import type { CallRouting } from '../calls/domain/routing';
import type { ExhaustionPolicy } from '../pool/pool-store';

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

/** What attribution needs to know about the number's pool, so a call never waits for Postgres. */
export interface RoutePool {
  id: string;
  leaseSeconds: number;
  graceSeconds: number;
  cooldownSeconds: number;
  exhaustionPolicy: ExhaustionPolicy;
}

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
  pool: RoutePool | null;
  /** The pool's routing with the number's own overrides applied. */
  routing: CallRouting;
}

/** A number as the admin API shows it: lifecycle dates and its routing overrides. */
export interface NumberDetails extends TrackingNumber {
  quarantinedAt: Date | null;
  releaseAfter: Date | null;
  releasedAt: Date | null;
  overrides: NumberOverrides;
}

/** Per-number routing; null = as the pool says. An empty whisper or fallback turns the pool's off. */
export interface NumberOverrides {
  whisper: string | null;
  record: boolean | null;
  fallbackTo: string | null;
}

export interface NumberStore {
  insert(n: NewTrackingNumber): Promise<TrackingNumber | null>;
  findExisting(e164s: readonly string[]): Promise<Set<string>>;
  listByPool(poolId: string): Promise<TrackingNumber[]>;
  /** Active numbers of the pool's rotation (role 'pool'): what the pool store should hold. */
  listRotation(poolId: string): Promise<TrackingNumber[]>;
  findByIds(ids: readonly string[]): Promise<TrackingNumber[]>;
  findRoute(e164: string): Promise<NumberRoute | null>;
  /** Routes of every number not yet released: the in-memory routing table. */
  listRoutes(): Promise<NumberRoute[]>;
  findDetails(id: string): Promise<NumberDetails | null>;
  listDetailsByPool(poolId: string): Promise<NumberDetails[]>;
  /** Active -> quarantined until `releaseAfter`; a number already quarantined or released is left as it is. */
  quarantine(id: string, at: Date, releaseAfter: Date): Promise<NumberDetails | null>;
  listDueForRelease(now: Date, limit: number): Promise<TrackingNumber[]>;
  markReleased(id: string, at: Date): Promise<void>;
  /** Numbers bought from `provider` and not yet released: what the carrier account should hold. */
  listHeldWith(provider: string): Promise<TrackingNumber[]>;
  setOverrides(id: string, overrides: Partial<NumberOverrides>): Promise<NumberDetails | null>;
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

interface DetailsRow extends NumberRow {
  quarantined_at: Date | null;
  release_after: Date | null;
  released_at: Date | null;
  whisper: string | null;
  record: boolean | null;
  fallback_to: string | null;
}

interface RouteRow {
  id: string;
  e164: string;
  status: TrackingNumber['status'];
  role: NumberRole;
  static_source: string | null;
  pool_id: string | null;
  site_id: string | null;
  forward_to: string | null;
  lease_seconds: number | null;
  grace_seconds: number | null;
  cooldown_seconds: number | null;
  exhaustion_policy: ExhaustionPolicy | null;
  dial_timeout_seconds: number | null;
  whisper: string | null;
  record: boolean;
  record_announcement: string | null;
  fallback_to: string | null;
}

const COLUMNS = 'id, pool_id, role, static_source, e164, country, provider, provider_sid, status';
const DETAIL_COLUMNS = `${COLUMNS}, quarantined_at, release_after, released_at, whisper, record, fallback_to`;

// A number's override wins over its pool's setting; an empty string switches the pool's setting off.
const SELECT_ROUTE = `
  SELECT n.id, n.e164, n.status, n.role, n.static_source, n.pool_id, p.site_id, p.forward_to,
         p.lease_seconds, p.grace_seconds, p.cooldown_seconds, p.exhaustion_policy, p.dial_timeout_seconds,
         NULLIF(COALESCE(n.whisper, p.whisper), '') AS whisper, COALESCE(n.record, p.record, false) AS record,
         p.record_announcement, NULLIF(COALESCE(n.fallback_to, p.fallback_to), '') AS fallback_to
    FROM tracking_numbers n LEFT JOIN pools p ON p.id = n.pool_id`;

const toRoute = (r: RouteRow): NumberRoute => ({
  numberId: r.id,
  e164: r.e164,
  status: r.status,
  role: r.role,
  staticSource: r.static_source,
  poolId: r.pool_id,
  siteId: r.site_id,
  forwardTo: r.forward_to,
  pool:
    r.pool_id && r.lease_seconds !== null
      ? { id: r.pool_id, leaseSeconds: r.lease_seconds, graceSeconds: r.grace_seconds as number, cooldownSeconds: r.cooldown_seconds as number, exhaustionPolicy: r.exhaustion_policy as ExhaustionPolicy }
      : null,
  routing: { timeoutSeconds: r.dial_timeout_seconds ?? 30, whisper: r.whisper, record: r.record, recordAnnouncement: r.record_announcement, fallbackTo: r.fallback_to },
});

const toDetails = (r: DetailsRow): NumberDetails => ({
  ...toNumber(r),
  quarantinedAt: r.quarantined_at,
  releaseAfter: r.release_after,
  releasedAt: r.released_at,
  overrides: { whisper: r.whisper, record: r.record, fallbackTo: r.fallback_to },
});

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
    const { rows } = await this.db.query<RouteRow>(`${SELECT_ROUTE} WHERE n.e164 = $1`, [e164]);
    return rows[0] ? toRoute(rows[0]) : null;
  }

  async listRoutes(): Promise<NumberRoute[]> {
    const { rows } = await this.db.query<RouteRow>(`${SELECT_ROUTE} WHERE n.status <> 'released'`);
    return rows.map(toRoute);
  }

  async findDetails(id: string): Promise<NumberDetails | null> {
    const { rows } = await this.db.query<DetailsRow>(`SELECT ${DETAIL_COLUMNS} FROM tracking_numbers WHERE id = $1`, [id]);
    return rows[0] ? toDetails(rows[0]) : null;
  }

  async listDetailsByPool(poolId: string): Promise<NumberDetails[]> {
    const { rows } = await this.db.query<DetailsRow>(`SELECT ${DETAIL_COLUMNS} FROM tracking_numbers WHERE pool_id = $1 ORDER BY e164`, [poolId]);
    return rows.map(toDetails);
  }

  async quarantine(id: string, at: Date, releaseAfter: Date): Promise<NumberDetails | null> {
    const { rows } = await this.db.query<DetailsRow>(
      `UPDATE tracking_numbers SET status = 'quarantined', quarantined_at = $2, release_after = $3
        WHERE id = $1 AND status = 'active' RETURNING ${DETAIL_COLUMNS}`,
      [id, at, releaseAfter],
    );
    return rows[0] ? toDetails(rows[0]) : this.findDetails(id);
  }

  async listDueForRelease(now: Date, limit: number): Promise<TrackingNumber[]> {
    const { rows } = await this.db.query<NumberRow>(
      `SELECT ${COLUMNS} FROM tracking_numbers WHERE status = 'quarantined' AND release_after <= $1 ORDER BY release_after, id LIMIT $2`,
      [now, limit],
    );
    return rows.map(toNumber);
  }

  async markReleased(id: string, at: Date): Promise<void> {
    await this.db.query("UPDATE tracking_numbers SET status = 'released', released_at = $2 WHERE id = $1 AND status = 'quarantined'", [id, at]);
  }

  async listHeldWith(provider: string): Promise<TrackingNumber[]> {
    const { rows } = await this.db.query<NumberRow>(`SELECT ${COLUMNS} FROM tracking_numbers WHERE provider = $1 AND status <> 'released' ORDER BY e164`, [provider]);
    return rows.map(toNumber);
  }

  async setOverrides(id: string, o: Partial<NumberOverrides>): Promise<NumberDetails | null> {
    // Only the keys given change; null puts a setting back to the pool's.
    const { rows } = await this.db.query<DetailsRow>(
      `UPDATE tracking_numbers SET
         whisper = CASE WHEN $2 THEN $3 ELSE whisper END,
         record = CASE WHEN $4 THEN $5::boolean ELSE record END,
         fallback_to = CASE WHEN $6 THEN $7 ELSE fallback_to END
       WHERE id = $1 RETURNING ${DETAIL_COLUMNS}`,
      [id, 'whisper' in o, o.whisper ?? null, 'record' in o, o.record ?? null, 'fallbackTo' in o, o.fallbackTo ?? null],
    );
    return rows[0] ? toDetails(rows[0]) : null;
  }
}
