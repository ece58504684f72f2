import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Spaces requests evenly at `perSecond` over all workers (`--rate`). Latency is measured from when a
 * request is sent, not from its slot: when the service falls behind, the rate drops instead of a
 * queue building up in the load generator.
 */
export class Pacer {
  private next = performance.now();
  private readonly intervalMs: number;

  constructor(perSecond: number) {
    this.intervalMs = 1000 / perSecond;
  }

  async wait(): Promise<void> {
    const now = performance.now();
    const slot = Math.max(now, this.next);
    this.next = slot + this.intervalMs;
    if (slot > now) await sleep(slot - now);
  }
}
