import { getLogger } from '../shared/logging/logger';
import type { JobLock } from './job-lock';

const log = getLogger('jobs');

/** Why a run's signal was aborted: this instance no longer holds the job's lock. */
export class JobLockLostError extends Error {
  override readonly name = 'JobLockLostError';
}

export interface LeaseTiming {
  /** How long a grant or renewal holds the lock (30 s in production). */
  leaseMs: number;
  /** How often the holder renews; a third of the lease leaves two attempts before it lapses. */
  renewEveryMs: number;
}

export interface HeldJobLock {
  readonly token: number;
  /** Aborted (with a JobLockLostError) once the lock is known or presumed lost. */
  readonly signal: AbortSignal;
  /** Stops renewing and lets go of the lock if it is still held; never rejects. */
  release(): Promise<void>;
}

/**
 * Keeps a granted job lock for as long as the run lasts: renews it every `renewEveryMs` and aborts the
 * run's signal when the lock is lost, i.e. a renewal is refused (the lease lapsed and the lock may have
 * passed to another instance) or no renewal has been confirmed for a whole lease (Redis unreachable:
 * the lease has lapsed by now whatever Redis thinks). `grantedAt` is when the acquire request was sent,
 * the earliest the lease can have started.
 */
export function holdJobLock(lock: JobLock, job: string, token: number, timing: LeaseTiming, grantedAt: number): HeldJobLock {
  const controller = new AbortController();
  let confirmedAt = grantedAt;
  let timer: NodeJS.Timeout | undefined;
  let renewing: Promise<void> = Promise.resolve();
  let released = false;

  const lost = (reason: string) => {
    if (controller.signal.aborted) return;
    log.warn('job lock lost; the run is asked to stop', { job, token, reason });
    controller.abort(new JobLockLostError(`lost the lock of job ${job}: ${reason}`));
  };

  const renew = async () => {
    const sentAt = Date.now();
    try {
      if (await lock.renew(job, token, timing.leaseMs)) confirmedAt = sentAt;
      else lost('the lease lapsed and was not renewed');
    } catch (err) {
      if (Date.now() - confirmedAt >= timing.leaseMs) lost('no renewal confirmed for a whole lease');
      else log.warn('job lock renewal failed; retrying', { job, error: err });
    }
  };

  const schedule = () => {
    if (released || controller.signal.aborted) return;
    timer = setTimeout(() => {
      renewing = renew().finally(schedule);
    }, timing.renewEveryMs);
    timer.unref();
  };
  schedule();

  return {
    token,
    signal: controller.signal,
    async release() {
      released = true;
      clearTimeout(timer);
      await renewing;
      if (controller.signal.aborted) return;
      // A release that fails leaves the lock to lapse at the end of its lease.
      await lock.release(job, token).catch((err: unknown) => log.warn('job lock not released; it lapses with its lease', { job, error: err }));
    },
  };
}
