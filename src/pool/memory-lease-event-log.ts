import type { LeaseEvent } from './pool-store';

/**
 * The in-process counterpart of a pool's event stream and consumer group. Events stay until
 * acknowledged, and every read returns the oldest unacknowledged ones, so a writer that fails
 * before ack reads them again (at-least-once, like the Redis consumer's pending entries).
 */
export class MemoryLeaseEventLog {
  private readonly unacked = new Map<string, LeaseEvent>();
  private sequence = 0;

  append(event: LeaseEvent): void {
    this.sequence += 1;
    this.unacked.set(`${this.sequence}-0`, event);
  }

  read(max: number): { ids: string[]; events: LeaseEvent[] } {
    const ids: string[] = [];
    const events: LeaseEvent[] = [];
    // Map iteration follows insertion order: oldest first.
    for (const [id, event] of this.unacked) {
      if (ids.length >= max) break;
      ids.push(id);
      events.push({ ...event });
    }
    return { ids, events };
  }

  ack(ids: readonly string[]): void {
    for (const id of ids) this.unacked.delete(id);
  }

  /** Drops, unpersisted, the events that match (delivered or not): erasure. */
  discard(matches: (event: LeaseEvent) => boolean): void {
    for (const [id, event] of this.unacked) if (matches(event)) this.unacked.delete(id);
  }
}
