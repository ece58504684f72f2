/// <reference types="jest" />
// (The build config loads only Node types; this shared suite is test code that the build also sees.)
import type { JobLock } from './job-lock';

/** What each implementation's test provides: the lock, a way to let leases lapse, and cleanup. */
export interface JobLockFixture {
  lock: JobLock;
  /** Lets `ms` pass for the lock's leases (a fake clock moves; real Redis is waited for). */
  elapse(ms: number): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * Short enough that a Redis test waits little for a lease to lapse, long enough that a loaded machine
 * (the whole suite on two cores) cannot stall past a lease between two steps that must fall within one.
 */
const LEASE_MS = 1000;
const TICK_TTL_MS = 60_000;
const SLOT = new Date('2026-11-30T10:00:15.000Z');
const NEXT_SLOT = new Date('2026-11-30T10:01:15.000Z');

function acquiredToken(outcome: Awaited<ReturnType<JobLock['acquire']>>): number {
  if (outcome.outcome !== 'acquired') throw new Error(`expected the lock, got ${outcome.outcome}`);
  return outcome.token;
}

export function runJobLockContract(name: string, createFixture: () => Promise<JobLockFixture>): void {
  describe(`${name} honours the JobLock contract`, () => {
    let fixture: JobLockFixture;
    let lock: JobLock;
    let jobCounter = 0;
    let job: string;

    beforeEach(async () => {
      fixture = await createFixture();
      lock = fixture.lock;
      jobCounter += 1;
      job = `job-${jobCounter}`;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    it('when several instances ask for a free lock at once, then exactly one gets it and the others see it held', async () => {
      const outcomes = await Promise.all(Array.from({ length: 5 }, () => lock.acquire(job, LEASE_MS)));

      expect(outcomes.filter((o) => o.outcome === 'acquired')).toHaveLength(1);
      expect(outcomes.filter((o) => o.outcome === 'held')).toHaveLength(4);
    });

    it('when the holder releases, then the lock is free again and the next grant has a larger fencing token', async () => {
      const first = acquiredToken(await lock.acquire(job, LEASE_MS));

      expect(await lock.release(job, first)).toBe(true);
      const second = acquiredToken(await lock.acquire(job, LEASE_MS));

      expect(second).toBeGreaterThan(first);
    });

    it('when the holder renews before its lease lapses, then it keeps the lock past the first lease', async () => {
      const token = acquiredToken(await lock.acquire(job, LEASE_MS));
      await fixture.elapse(LEASE_MS / 2);

      expect(await lock.renew(job, token, LEASE_MS)).toBe(true);
      // Past the first lease (acquired 1.1 leases ago at least), well within the renewed one.
      await fixture.elapse(LEASE_MS * 0.6);

      expect(await lock.acquire(job, LEASE_MS)).toEqual({ outcome: 'held' });
      expect(await lock.release(job, token)).toBe(true);
    });

    it('when a lease lapses and another instance takes the lock, then the old holder can neither renew nor release it', async () => {
      const stale = acquiredToken(await lock.acquire(job, LEASE_MS));
      await fixture.elapse(LEASE_MS + 100);
      const current = acquiredToken(await lock.acquire(job, LEASE_MS * 10));

      const renewed = await lock.renew(job, stale, LEASE_MS);
      const released = await lock.release(job, stale);

      expect(current).toBeGreaterThan(stale);
      expect({ renewed, released }).toEqual({ renewed: false, released: false });
      expect(await lock.acquire(job, LEASE_MS)).toEqual({ outcome: 'held' });
      expect(await lock.release(job, current)).toBe(true);
    });

    it('when a lease lapses with nobody else asking, then renewing it fails (the run must stop)', async () => {
      const token = acquiredToken(await lock.acquire(job, LEASE_MS));
      await fixture.elapse(LEASE_MS + 100);

      expect(await lock.renew(job, token, LEASE_MS)).toBe(false);
    });

    it('when grants follow each other, then fencing tokens strictly increase', async () => {
      const tokens: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        const token = acquiredToken(await lock.acquire(job, LEASE_MS));
        tokens.push(token);
        await lock.release(job, token);
      }

      expect([...tokens].sort((a, b) => a - b)).toEqual(tokens);
      expect(new Set(tokens).size).toBe(tokens.length);
    });

    it('when an instance ran a tick and let go, then another instance asking for the same tick is told it was taken, and the next tick is open', async () => {
      const token = acquiredToken(await lock.acquire(job, LEASE_MS, { slot: SLOT, ttlMs: TICK_TTL_MS }));
      await lock.release(job, token);

      const again = await lock.acquire(job, LEASE_MS, { slot: SLOT, ttlMs: TICK_TTL_MS });
      const next = await lock.acquire(job, LEASE_MS, { slot: NEXT_SLOT, ttlMs: TICK_TTL_MS });

      expect(again).toEqual({ outcome: 'tick-taken' });
      expect(next.outcome).toBe('acquired');
    });

    it('when a tick finds the lock held, then the tick is not claimed (an instance asking after the release may still run it)', async () => {
      const holder = acquiredToken(await lock.acquire(job, LEASE_MS));

      expect(await lock.acquire(job, LEASE_MS, { slot: SLOT, ttlMs: TICK_TTL_MS })).toEqual({ outcome: 'held' });
      await lock.release(job, holder);

      expect((await lock.acquire(job, LEASE_MS, { slot: SLOT, ttlMs: TICK_TTL_MS })).outcome).toBe('acquired');
    });

    it('when two jobs are locked, then each has its own lock and releasing one leaves the other held', async () => {
      const a = acquiredToken(await lock.acquire(job, LEASE_MS, { slot: SLOT, ttlMs: TICK_TTL_MS }));
      const b = acquiredToken(await lock.acquire(`${job}-other`, LEASE_MS, { slot: SLOT, ttlMs: TICK_TTL_MS }));

      await lock.release(job, a);

      expect(await lock.acquire(`${job}-other`, LEASE_MS)).toEqual({ outcome: 'held' });
      expect((await lock.acquire(job, LEASE_MS)).outcome).toBe('acquired');
      await lock.release(`${job}-other`, b);
    });
  });
}
