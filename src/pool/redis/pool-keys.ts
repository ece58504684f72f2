/**
 * Redis keys of one pool. They all share the hash tag `{poolId}`, so a pool lives in one Redis
 * Cluster slot and a single script can touch all of them.
 */
export interface PoolKeys {
  /** ZSET numberId -> time it becomes available (end of last lease + cool-down; 0 when new). */
  free: string;
  /** ZSET numberId -> expiresAt of its live lease. */
  leased: string;
  /** HASH numberId -> live lease. */
  holder: string;
  /** HASH visitId -> numberId. */
  byVisit: string;
  /** HASH numberId -> recently ended holders, most recent first. */
  recent: string;
  /** STREAM lease events, read through a consumer group. */
  events: string;
  /** HASH numberId -> generation (fencing token); survives removal so tokens never repeat. */
  gen: string;
  /** SET every number in the pool. */
  members: string;
  /** STRING how often a lease was asked for while no number was available. */
  exhausted: string;
  /** STRING the latest `now` any script applied to this pool: the pool's clock never runs backwards. */
  clock: string;
}

export function poolKeys(keyPrefix: string, poolId: string): PoolKeys {
  // An empty or brace-containing id would break the hash tag and scatter the pool over slots.
  if (poolId === '' || /[{}]/.test(poolId)) throw new Error(`Invalid poolId for Redis keys: ${JSON.stringify(poolId)}`);
  const base = `${keyPrefix}pool:{${poolId}}:`;
  return {
    free: `${base}free`,
    leased: `${base}leased`,
    holder: `${base}holder`,
    byVisit: `${base}byVisit`,
    recent: `${base}recent`,
    events: `${base}events`,
    gen: `${base}gen`,
    members: `${base}members`,
    exhausted: `${base}exhausted`,
    clock: `${base}clock`,
  };
}

/** The keys every script that reclaims expired leases needs, in the order the scripts expect. */
export function reclaimKeys(k: PoolKeys): string[] {
  return [k.free, k.leased, k.holder, k.byVisit, k.recent, k.events];
}
