import { randomUUID } from 'node:crypto';
import { getLogger } from '../shared/logging/logger';
import type { PageView, PageViewStore } from './page-view-store';

const log = getLogger('page-views');
const BATCH = 1000;
/** Past this many unwritten views (Postgres down for a long while) new ones are dropped and counted. */
const MAX_BUFFERED = 50_000;

/**
 * Page views reach Postgres in batches, off the request path: a request only appends to an in-process
 * buffer, which a timer flushes (and `stop()`, called by container.close() on SIGTERM, flushes a last
 * time, so a clean shutdown loses none).
 *
 * Why in-process rather than through Redis like visits: a visit must reach Postgres because a call may be
 * credited to it, and it already rides the lease script's round trip for free. A page view only draws the
 * visitor's journey; sending it through Redis would add a round trip per page for a guarantee it does not
 * need. The price: a crash (not a clean stop) loses the views of the last flush interval (about a second),
 * and while Postgres is down views wait in memory, up to MAX_BUFFERED.
 */
export class PageViewRecorder {
  private buffer: PageView[] = [];
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private dropped = 0;

  constructor(
    private readonly store: PageViewStore,
    private readonly intervalMs: number,
  ) {}

  record(view: Omit<PageView, 'id'>): void {
    if (this.buffer.length >= MAX_BUFFERED) {
      this.dropped += 1;
      return;
    }
    this.buffer.push({ id: randomUUID(), ...view });
  }

  get pending(): number {
    return this.buffer.length;
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  /** Writes everything buffered so far; concurrent calls share one run. Never rejects: failures are retried. */
  flush(): Promise<void> {
    this.running ??= this.drain().finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.flush();
  }

  private async drain(): Promise<void> {
    if (this.dropped) {
      log.warn('page views dropped: the buffer was full', { count: this.dropped });
      this.dropped = 0;
    }
    while (this.buffer.length) {
      const batch = this.buffer.slice(0, BATCH);
      try {
        await this.store.insertMany(batch);
      } catch (err) {
        log.error('page view flush failed; will retry', { error: err, pending: this.buffer.length });
        return;
      }
      this.buffer = this.buffer.slice(batch.length);
    }
  }
}
