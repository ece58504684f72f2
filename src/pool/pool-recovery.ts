import type { Database } from '../db/database';
import { getLogger } from '../shared/logging/logger';
import { poolSettings } from './pool-config-store';
import { readPoolSnapshot } from './pool-snapshot-store';
import type { PoolStore } from './pool-store';

const log = getLogger('pool-recovery');
/** After finding a pool store healthy (or Postgres empty too), don't look again this soon. */
const RECHECK_MS = 1000;

/**
 * Notices a pool store that lost its state and rebuilds it from Postgres. Redis may lose everything
 * (FLUSHALL, a restart without persistence) and the in-process store starts empty after a restart;
 * either way the store answers as if the pool had no numbers. The hot paths stay one round trip:
 * this runs only when an answer could be explained by lost state (exhausted, lost lease, nobody
 * held the number), and then at most once a second per pool.
 */
export class PoolRecovery {
  private readonly checkedAt = new Map<string, number>();
  private readonly running = new Map<string, Promise<boolean>>();

  constructor(
    private readonly db: Database,
    private readonly poolStore: PoolStore,
  ) {}

  /** True when the pool was rebuilt, so the caller should retry its operation once. */
  recoverIfLost(pool: Parameters<typeof poolSettings>[0], now: number): Promise<boolean> {
    if ((this.checkedAt.get(pool.id) ?? -Infinity) > now - RECHECK_MS) return Promise.resolve(false);
    let run = this.running.get(pool.id);
    if (!run) {
      run = this.recover(pool, now).finally(() => this.running.delete(pool.id));
      this.running.set(pool.id, run);
    }
    return run;
  }

  private async recover(pool: Parameters<typeof poolSettings>[0], now: number): Promise<boolean> {
    const settings = poolSettings(pool);
    const stats = await this.poolStore.stats(settings, now);
    this.checkedAt.set(pool.id, now);
    if (stats.total > 0) return false;
    const snapshot = await readPoolSnapshot(this.db, pool.id, { now, cooldownMs: settings.cooldownMs, graceMs: settings.graceMs });
    if (snapshot.numbers.length === 0) return false;
    const restored = await this.poolStore.restore(settings, snapshot, now);
    log.warn('pool store had lost this pool; rebuilt from Postgres', { poolId: pool.id, numbers: restored.numbers, leases: restored.leases });
    this.checkedAt.delete(pool.id);
    return restored.numbers > 0;
  }
}
