import { getLogger } from '../../shared/logging/logger';
import { withTimeout } from '../../shared/with-timeout';
import type { CallQueue, DrainResult } from './call-queue';
import type { CallWrite } from './call-write';

const log = getLogger('call-queue');

/**
 * Redis first, the local file when Redis does not take the write within `budgetMs` (Redis down too,
 * or slow). A write that reaches Redis late as well as the file is applied twice, which changes nothing.
 */
export class FallbackCallQueue implements CallQueue {
  readonly name: string;

  constructor(
    private readonly primary: CallQueue,
    private readonly secondary: CallQueue,
    private readonly budgetMs: number,
  ) {
    this.name = `${primary.name}+${secondary.name}`;
  }

  async append(w: CallWrite): Promise<void> {
    try {
      await withTimeout(this.primary.append(w), this.budgetMs, `${this.primary.name} call queue`);
    } catch (err) {
      log.warn(`${this.primary.name} call queue unavailable; writing to the ${this.secondary.name} queue`, { error: err });
      await this.secondary.append(w);
    }
  }

  /** Drains both; one that cannot be read now (Redis still down) does not stop the other. */
  async drain(apply: (w: CallWrite) => Promise<void>): Promise<DrainResult> {
    const total: DrainResult = { applied: 0, deadLettered: 0, interrupted: false };
    for (const queue of [this.secondary, this.primary]) {
      try {
        const r = await queue.drain(apply);
        total.applied += r.applied;
        total.deadLettered += r.deadLettered;
        total.interrupted ||= r.interrupted;
      } catch (err) {
        log.warn(`${queue.name} call queue could not be drained now`, { error: err });
        total.interrupted = true;
      }
    }
    return total;
  }

  async size(): Promise<number> {
    const sizes = await Promise.all([this.primary, this.secondary].map((q) => q.size().catch(() => 0)));
    return sizes[0] + sizes[1];
  }
}
