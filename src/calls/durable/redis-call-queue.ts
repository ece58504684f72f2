import type { Cluster, Redis } from 'ioredis';
import { getLogger } from '../../shared/logging/logger';
import { drainEntry, type CallQueue, type DrainResult } from './call-queue';
import { serializeCallWrite, type CallWrite } from './call-write';

const log = getLogger('call-queue');
const BATCH = 100;

/**
 * The durable queue when Redis is configured: a stream (XADD appends, XRANGE reads oldest first, XDEL
 * forgets what was applied). Several instances may drain at once safely (writes are idempotent); the
 * drain job's lock keeps that rare. Both keys share a hash tag, so they live in one Cluster slot.
 */
export class RedisCallQueue implements CallQueue {
  readonly name = 'redis';
  private readonly key: string;
  private readonly deadKey: string;

  constructor(
    private readonly redis: Redis | Cluster,
    prefix: string,
  ) {
    this.key = `${prefix}{call-queue}:pending`;
    this.deadKey = `${prefix}{call-queue}:dead`;
  }

  async append(w: CallWrite): Promise<void> {
    await this.redis.xadd(this.key, '*', 'w', serializeCallWrite(w));
  }

  async drain(apply: (w: CallWrite) => Promise<void>): Promise<DrainResult> {
    const result: DrainResult = { applied: 0, deadLettered: 0, interrupted: false };
    for (;;) {
      const entries = await this.redis.xrange(this.key, '-', '+', 'COUNT', BATCH);
      if (!entries.length) return result;
      const done: string[] = [];
      try {
        for (const [id, fields] of entries) {
          const text = fields[fields.indexOf('w') + 1] ?? '';
          const outcome = await drainEntry(text, apply, (err, callSid) => this.deadLetter(id, text, err, callSid), result);
          // An interrupted entry stays in the stream for the next drain.
          if (outcome === 'interrupted') return result;
          done.push(id);
        }
      } finally {
        if (done.length) await this.redis.xdel(this.key, ...done);
      }
      if (entries.length < BATCH) return result;
    }
  }

  async size(): Promise<number> {
    return this.redis.xlen(this.key);
  }

  private async deadLetter(id: string, text: string, err: unknown, callSid?: string): Promise<void> {
    log.error('queued call write refused; moved to the dead-letter stream', { entry: id, callSid, error: err });
    await this.redis.xadd(this.deadKey, '*', 'w', text, 'error', (err as Error)?.message ?? String(err));
  }
}
