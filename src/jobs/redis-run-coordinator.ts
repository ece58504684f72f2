import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { RunCoordinator } from 'node-cron';

/**
 * Elects one instance per scheduled tick: node-cron names the tick (job name + slot time) and the
 * first instance to SET it NX wins; the key expires after the lease. Deliberately small (another
 * issue generalises locking): if Redis cannot be asked, node-cron skips the tick (fails closed).
 */
export class RedisRunCoordinator implements RunCoordinator {
  private readonly token = randomBytes(8).toString('hex');

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly prefix: string,
  ) {}

  async shouldRun(key: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}{jobs}:${key}`, this.token, 'PX', ttlMs, 'NX')) === 'OK';
  }
}
