import type { Database } from '../db/database';
import { getLogger } from '../shared/logging/logger';
import type { PoolConfigStore } from './pool-config-store';
import type { LeaseEvent, PoolStore } from './pool-store';

export type PoolNote = Extract<LeaseEvent, { type: 'note' }>;
/** Persists the notes lease requests carried (visits); must be idempotent, like the lease writes. */
export type NoteSink = (notes: PoolNote[]) => Promise<void>;
import { foldLeaseEvents, writeLeaseHistory } from './lease-history';

const log = getLogger('lease-history');
const BATCH = 500;

/**
 * Moves pool events into Postgres in batches, off the request path: the notes lease requests carried
 * (visits, through `noteSink`) first, then lease history. Events are acknowledged only after the writes
 * commit, so a crash replays them (both writes are idempotent).
 */
export class LeaseHistoryWriter {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly db: Database,
    private readonly pools: PoolConfigStore,
    private readonly poolStore: PoolStore,
    private readonly intervalMs: number,
    private readonly noteSink: NoteSink = async () => undefined,
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
          const notes = events.filter((e): e is PoolNote => e.type === 'note');
          if (notes.length) await this.noteSink(notes);
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
