import type { Database } from '../db/database';
import { getLogger } from '../shared/logging/logger';
import type { PoolConfigStore } from './pool-config-store';
import type { PoolStore } from './pool-store';
import { foldLeaseEvents, writeLeaseHistory } from './lease-history';

const log = getLogger('lease-history');
const BATCH = 500;

/**
 * Moves lease events from the pool store into Postgres in batches, off the request path. Events are
 * acknowledged only after the write commits, so a crash replays them (the write is idempotent).
 */
export class LeaseHistoryWriter {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly db: Database,
    private readonly pools: PoolConfigStore,
    private readonly poolStore: PoolStore,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  /** Drains every pool's pending events; concurrent calls share one run. */
  flush(): Promise<void> {
    this.running ??= this.drainAll().finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.flush();
  }

  private async drainAll(): Promise<void> {
    try {
      for (const pool of await this.pools.listAll()) {
        for (;;) {
          const { ids, events } = await this.poolStore.readEvents(pool.id, BATCH);
          if (!ids.length) break;
          await writeLeaseHistory(this.db, foldLeaseEvents(events));
          await this.poolStore.ackEvents(pool.id, ids);
          if (ids.length < BATCH) break;
        }
      }
    } catch (err) {
      log.error('lease history flush failed; will retry', { error: err });
    }
  }
}
