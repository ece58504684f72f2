import { getLogger } from '../../shared/logging/logger';
import { withTimeout } from '../../shared/with-timeout';
import type { CallStore } from '../call-store';
import type { CallQueue, DrainResult } from './call-queue';
import { applyCallWrite, callSidOf, type CallWrite } from './call-write';
import { NO_SEALING, type CallWriteSealing } from './call-write-sealing';

const log = getLogger('call-writer');

/** stored/duplicate: Postgres has it; queued: it will reach Postgres later; lost: nothing took it (logged). */
export type WriteOutcome = 'stored' | 'duplicate' | 'queued' | 'lost';

/**
 * Every write a call webhook makes goes through here: Postgres gets `budgetMs` to take it, and when
 * it does not (down, slow, or failing) the write goes to the durable queue, so the webhook can answer
 * Twilio in time and nothing is lost. `drain` later moves queued writes into Postgres.
 */
export class CallWriter {
  constructor(
    private readonly store: CallStore,
    readonly queue: CallQueue,
    private readonly budgetMs: number,
    private readonly sealing: CallWriteSealing = NO_SEALING,
  ) {}

  async write(w: CallWrite): Promise<WriteOutcome> {
    try {
      const outcome = await withTimeout(applyCallWrite(this.store, w), this.budgetMs, 'call write');
      return outcome === 'duplicate' ? 'duplicate' : 'stored';
    } catch (err) {
      // Whatever the reason, queue it: a write that can never apply ends in the dead letters, not here.
      log.warn('call write deferred to the durable queue', { kind: w.kind, callSid: callSidOf(w), error: err });
    }
    try {
      await this.queue.append(this.sealing.seal(w));
      return 'queued';
    } catch (err) {
      log.error('call write lost: neither Postgres nor the durable queue took it', { kind: w.kind, callSid: callSidOf(w), error: err });
      return 'lost';
    }
  }

  /** Applies queued writes; stops at the first sign Postgres is still unavailable. */
  async drain(): Promise<DrainResult> {
    const result = await this.queue.drain(async (w) => {
      await applyCallWrite(this.store, this.sealing.open(w));
    });
    if (result.applied || result.deadLettered) log.info('call queue drained', { ...result });
    return result;
  }
}
