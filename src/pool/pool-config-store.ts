import type { Queryable } from '../db/database';
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
  createdAt: Date;
}

export type NewPool = Omit<Pool, 'id' | 'createdAt' | 'overflowNumberId'>;

export interface PoolConfigStore {
  create(pool: NewPool): Promise<Pool>;
  findById(id: string): Promise<Pool | null>;
  listBySite(siteId: string): Promise<Pool[]>;
  listAll(): Promise<Pool[]>;
  setOverflowNumber(poolId: string, numberId: string): Promise<void>;
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
  created_at: Date;
}

const COLUMNS = 'id, site_id, name, forward_to, lease_seconds, grace_seconds, cooldown_seconds, exhaustion_policy, overflow_number_id, created_at';

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
  createdAt: r.created_at,
});

/** What the pool engine needs to know about a pool, in its units. */
export function poolSettings(pool: Pool): PoolSettings {
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
      `INSERT INTO pools (site_id, name, forward_to, lease_seconds, grace_seconds, cooldown_seconds, exhaustion_policy)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [p.siteId, p.name, p.forwardTo, p.leaseSeconds, p.graceSeconds, p.cooldownSeconds, p.exhaustionPolicy],
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

  async listAll(): Promise<Pool[]> {
    const { rows } = await this.db.query<PoolRow>(`SELECT ${COLUMNS} FROM pools ORDER BY created_at, id`);
    return rows.map(toPool);
  }
}
