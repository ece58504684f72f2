import { holdJobLock, JobLockLostError } from './held-job-lock';
import type { JobLock } from './job-lock';

const TIMING = { leaseMs: 200, renewEveryMs: 20 };
const lockWhoseRenewals = (renew: () => Promise<boolean>): JobLock & { released: number[] } => {
  const released: number[] = [];
  return { acquire: async () => ({ outcome: 'held' }), renew, release: async (_job, token) => (released.push(token), true), released };
};
const aborted = (signal: AbortSignal) => new Promise<unknown>((resolve) => signal.addEventListener('abort', () => resolve(signal.reason)));

describe('holdJobLock', () => {
  it('when renewals keep succeeding, then the run keeps its lock and releasing lets go of it', async () => {
    let renewals = 0;
    const lock = lockWhoseRenewals(async () => (renewals += 1) > 0);
    const held = holdJobLock(lock, 'job', 3, TIMING, Date.now());

    await new Promise((r) => setTimeout(r, 300));
    await held.release();

    expect(renewals).toBeGreaterThan(3);
    expect(held.signal.aborted).toBe(false);
    expect(lock.released).toEqual([3]);
  });

  it('when the lock cannot be renewed for a whole lease (Redis unreachable), then the run is told it lost the lock', async () => {
    const lock = lockWhoseRenewals(async () => {
      throw new Error('connection refused');
    });
    const started = Date.now();
    const held = holdJobLock(lock, 'job', 3, TIMING, started);

    const reason = await aborted(held.signal);
    await held.release();

    expect(reason).toBeInstanceOf(JobLockLostError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMING.leaseMs);
    expect(lock.released).toEqual([]);
  });

  it('when a renewal fails once and the next succeeds, then the run keeps its lock', async () => {
    let calls = 0;
    const lock = lockWhoseRenewals(async () => {
      calls += 1;
      if (calls === 1) throw new Error('timeout');
      return true;
    });
    const held = holdJobLock(lock, 'job', 3, TIMING, Date.now());

    await new Promise((r) => setTimeout(r, 300));
    await held.release();

    expect(held.signal.aborted).toBe(false);
  });
});
