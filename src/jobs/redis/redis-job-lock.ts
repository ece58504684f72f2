import type { Cluster, Redis } from 'ioredis';
import type { ScriptCaller } from '../../shared/redis/lua-scripts';
import type { AcquireOutcome, JobLock, TickClaim } from '../job-lock';
import { JobLockCode, loadJobLockScripts, replyCode, type JobLockScriptName } from './job-lock-scripts';

/**
 * A job's keys share one hash tag, so each script touches a single Redis Cluster slot:
 * `<prefix>{job:<name>}:lock`, `:fence` and `:tick:<ISO slot>`.
 */
export function jobLockKeys(prefix: string, job: string, slot?: Date): { lock: string; fence: string; tick: string } {
  const base = `${prefix}{job:${job}}`;
  return { lock: `${base}:lock`, fence: `${base}:fence`, tick: `${base}:tick:${slot ? slot.toISOString() : 'none'}` };
}

/**
 * The job lock every instance shares: one Lua script per operation (acquire with its fencing token and
 * tick claim, renew, release), each a single atomic round trip. Redis expires the lease by its own clock.
 * A Redis error is thrown to the caller (the scheduler skips the tick: it fails closed).
 */
export class RedisJobLock implements JobLock {
  private readonly scripts: Record<JobLockScriptName, ScriptCaller>;

  constructor(
    redis: Redis | Cluster,
    private readonly prefix: string,
  ) {
    this.scripts = loadJobLockScripts(redis);
  }

  async acquire(job: string, leaseMs: number, tick?: TickClaim): Promise<AcquireOutcome> {
    const keys = jobLockKeys(this.prefix, job, tick?.slot);
    const reply = await this.scripts.acquireJobLock([keys.lock, keys.fence, keys.tick], [Math.ceil(leaseMs), tick ? Math.max(1, Math.ceil(tick.ttlMs)) : 0]);
    switch (replyCode(reply)) {
      case JobLockCode.ACQUIRED:
        return { outcome: 'acquired', token: Number((reply as unknown[])[1]) };
      case JobLockCode.HELD:
        return { outcome: 'held' };
      case JobLockCode.TICK_TAKEN:
        return { outcome: 'tick-taken' };
      default:
        throw new Error(`Unexpected acquireJobLock reply: ${JSON.stringify(reply)}`);
    }
  }

  async renew(job: string, token: number, leaseMs: number): Promise<boolean> {
    const reply = await this.scripts.renewJobLock([jobLockKeys(this.prefix, job).lock], [token, Math.ceil(leaseMs)]);
    return this.holderReply(reply, JobLockCode.RENEWED);
  }

  async release(job: string, token: number): Promise<boolean> {
    const reply = await this.scripts.releaseJobLock([jobLockKeys(this.prefix, job).lock], [token]);
    return this.holderReply(reply, JobLockCode.RELEASED);
  }

  private holderReply(reply: unknown, done: number): boolean {
    const code = replyCode(reply);
    if (code === done) return true;
    if (code === JobLockCode.NOT_HOLDER) return false;
    throw new Error(`Unexpected job lock reply: ${JSON.stringify(reply)}`);
  }
}
