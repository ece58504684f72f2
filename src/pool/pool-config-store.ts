import type { Queryable } from '../db/database';
import type { CallRouting } from '../calls/domain/routing';
import type { ExhaustionPolicy, PoolSettings } from './pool-store';

export interface Pool {
  id: string;
  siteId: string;
  name: string;
  forwardTo: string;
  leaseSeconds: number;
  graceSeconds: number;
  cooldownSeconds: number;
  exhaustionPolicy: ExhaustionPolicy;
  /** Shown (with no lease) when every rotation number is taken, under the 'overflow' policy. */
  overflowNumberId: string | null;
  /** How its calls are put through: ring time, whisper, recording, fallback. */
  routing: CallRouting;
  createdAt: Date;
}

export type NewPool = Omit<Pool, 'id' | 'createdAt' | 'overflowNumberId' | 'routing'> & { routing?: Partial<CallRouting> };

/** The settings an operator may change after creation (PATCH /v1/pools/{id}). */
export type PoolChanges = Partial<Pick<Pool, 'name' | 'forwardTo'>> & Partial<CallRouting>;

export interface PoolConfigStore {
  create(pool: NewPool): Promise<Pool>;
  findById(id: string): Promise<Pool | null>;
  listBySite(siteId: string): Promise<Pool[]>;
  listAll(): Promise<Pool[]>;
  setOverflowNumber(poolId: string, numberId: string): Promise<void>;
  /** Clears the overflow number if it is this one (the number was quarantined). */
  clearOverflowNumber(numberId: string): Promise<void>;
  update(poolId: string, changes: PoolChanges): Promise<Pool | null>;
}

interface PoolRow {
  id: string;
  site_id: string;
  name: string;
  forward_to: string;
  lease_seconds: number;
  grace_seconds: number;
  cooldown_seconds: number;
  exhaustion_policy: ExhaustionPolicy;
  overflow_number_id: string | null;
  dial_timeout_seconds: number;
  whisper: string | null;
  record: boolean;
  record_announcement: string | null;
  fallback_to: string | null;
  created_at: Date;
}

const COLUMNS =
  'id, site_id, name, forward_to, lease_seconds, grace_seconds, cooldown_seconds, exhaustion_policy, overflow_number_id, dial_timeout_seconds, whisper, record, record_announcement, fallback_to, created_at';

/** PoolChanges key -> column, for the partial update. */
const CHANGE_COLUMNS: Record<keyof PoolChanges, string> = {
  name: 'name',
  forwardTo: 'forward_to',
  timeoutSeconds: 'dial_timeout_seconds',
  whisper: 'whisper',
  record: 'record',
  recordAnnouncement: 'record_announcement',
  fallbackTo: 'fallback_to',
};

const toPool = (r: PoolRow): Pool => ({
  id: r.id,
  siteId: r.site_id,
  name: r.name,
  forwardTo: r.forward_to,
  leaseSeconds: r.lease_seconds,
  graceSeconds: r.grace_seconds,
  cooldownSeconds: r.cooldown_seconds,
  exhaustionPolicy: r.exhaustion_policy,
  overflowNumberId: r.overflow_number_id,
  routing: { timeoutSeconds: r.dial_timeout_seconds, whisper: r.whisper, record: r.record, recordAnnouncement: r.record_announcement, fallbackTo: r.fallback_to },
  createdAt: r.created_at,
});

/** What the pool engine needs to know about a pool, in its units. */
export function poolSettings(pool: Pick<Pool, 'id' | 'leaseSeconds' | 'cooldownSeconds' | 'graceSeconds' | 'exhaustionPolicy'>): PoolSettings {
  return {
    poolId: pool.id,
    leaseMs: pool.leaseSeconds * 1000,
    cooldownMs: pool.cooldownSeconds * 1000,
    graceMs: pool.graceSeconds * 1000,
    exhaustionPolicy: pool.exhaustionPolicy,
  };
}

export class SqlPoolConfigStore implements PoolConfigStore {
  constructor(private readonly db: Queryable) {}

  async create(p: NewPool): Promise<Pool> {
    const { rows } = await this.db.query<PoolRow>(
      `INSERT INTO pools (site_id, name, forward_to, lease_seconds, grace_seconds, cooldown_seconds, exhaustion_policy,
                          dial_timeout_seconds, whisper, record, record_announcement, fallback_to)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING ${COLUMNS}`,
      [
        p.siteId, p.name, p.forwardTo, p.leaseSeconds, p.graceSeconds, p.cooldownSeconds, p.exhaustionPolicy,
        p.routing?.timeoutSeconds ?? 30, p.routing?.whisper ?? null, p.routing?.record ?? false, p.routing?.recordAnnouncement ?? null, p.routing?.fallbackTo ?? null,
      ],
    );
    return toPool(rows[0]);
  }

  async findById(id: string): Promise<Pool | null> {
    const { rows } = await this.db.query<PoolRow>(`SELECT ${COLUMNS} FROM pools WHERE id = $1`, [id]);
    return rows[0] ? toPool(rows[0]) : null;
  }

  async listBySite(siteId: string): Promise<Pool[]> {
    const { rows } = await this.db.query<PoolRow>(`SELECT ${COLUMNS} FROM pools WHERE site_id = $1 ORDER BY created_at, id`, [siteId]);
    return rows.map(toPool);
  }

  async setOverflowNumber(poolId: string, numberId: string): Promise<void> {
    await this.db.query('UPDATE pools SET overflow_number_id = $2 WHERE id = $1', [poolId, numberId]);
  }

  async clearOverflowNumber(numberId: string): Promise<void> {
    await this.db.query('UPDATE pools SET overflow_number_id = NULL WHERE overflow_number_id = $1', [numberId]);
  }

  async update(poolId: string, changes: PoolChanges): Promise<Pool | null> {
    const keys = (Object.keys(changes) as (keyof PoolChanges)[]).filter((k) => changes[k] !== undefined);
    if (!keys.length) return this.findById(poolId);
    const sets = keys.map((k, i) => `${CHANGE_COLUMNS[k]} = $${i + 2}`);
    const { rows } = await this.db.query<PoolRow>(`UPDATE pools SET ${sets.join(', ')} WHERE id = $1 RETURNING ${COLUMNS}`, [poolId, ...keys.map((k) => changes[k])]);
    return rows[0] ? toPool(rows[0]) : null;
  }

  async listAll(): Promise<Pool[]> {
    const { rows } = await this.db.query<PoolRow>(`SELECT ${COLUMNS} FROM pools ORDER BY created_at, id`);
    return rows.map(toPool);
  }
}
