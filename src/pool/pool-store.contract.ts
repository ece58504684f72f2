/// <reference types="jest" />
// (The build config loads only Node types; this shared suite is test code that the build also sees.)
import type { LeaseResult, LiveLease, PoolSettings, PoolStore } from './pool-store';

/**
 * The one behaviour both pool stores must share. Time is driven only through the `now` argument;
 * T0 is a realistic epoch-ms value with non-zero low digits, so any precision loss shows.
 */
export interface PoolStoreFixture {
  store: PoolStore;
  /** Removes what this fixture created (for Redis: only its own key prefix). */
  cleanup(): Promise<void>;
  /**
   * Where the store's raw state (every Redis key under the fixture's prefix, every in-process map)
   * still contains one of `needles`: proof that forgotten visits are gone, not just hidden.
   */
  keysMentioning(needles: string[]): Promise<string[]>;
}

const T0 = Date.UTC(2025, 0, 1) + 123;
const LEASE_MS = 60_000;
const COOLDOWN_MS = 10_000;
const GRACE_MS = 120_000;

let poolCounter = 0;
function settings(overrides: Partial<PoolSettings> = {}): PoolSettings {
  poolCounter += 1;
  return { poolId: `pool-${poolCounter}`, leaseMs: LEASE_MS, cooldownMs: COOLDOWN_MS, graceMs: GRACE_MS, exhaustionPolicy: 'overflow', ...overrides };
}

function granted(result: LeaseResult): LiveLease {
  if (result.outcome !== 'granted') throw new Error(`expected granted, got ${result.outcome}`);
  return result.lease;
}

export function runPoolStoreContract(name: string, createFixture: () => Promise<PoolStoreFixture>): void {
  describe(`${name} honours the PoolStore contract`, () => {
    let fixture: PoolStoreFixture;
    let store: PoolStore;

    beforeEach(async () => {
      fixture = await createFixture();
      store = fixture.store;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });

    async function poolWith(numberIds: string[], overrides: Partial<PoolSettings> = {}): Promise<PoolSettings> {
      const pool = settings(overrides);
      await store.addNumbers(pool.poolId, numberIds);
      return pool;
    }

    describe('lease', () => {
      it('when a visit leases, then it gets a free number with token 1 and the configured lifetime', async () => {
        const pool = await poolWith(['n1']);
        const result = await store.lease(pool, 'v1', T0);
        expect(result).toEqual({
          outcome: 'granted',
          lease: { numberId: 'n1', visitId: 'v1', token: 1, startedAt: T0, renewedAt: T0, expiresAt: T0 + LEASE_MS },
        });
      });

      it('when the same visit leases again, then its lease is renewed with the same number and token', async () => {
        const pool = await poolWith(['n1', 'n2']);
        const first = granted(await store.lease(pool, 'v1', T0));
        const again = await store.lease(pool, 'v1', T0 + 5_000);
        expect(again).toEqual({
          outcome: 'renewed',
          lease: { ...first, renewedAt: T0 + 5_000, expiresAt: T0 + 5_000 + LEASE_MS },
        });
        expect((await store.stats(pool, T0 + 5_000)).leased).toBe(1);
      });

      it('when new numbers tie, then the lowest numberId is chosen', async () => {
        const pool = await poolWith(['b', 'c', 'a']);
        expect(granted(await store.lease(pool, 'v1', T0)).numberId).toBe('a');
        expect(granted(await store.lease(pool, 'v2', T0)).numberId).toBe('b');
      });

      it('when numbers became free at different times, then the one idle longest is chosen first', async () => {
        const pool = await poolWith(['n1', 'n2', 'n3']);
        const leases = [];
        for (const visit of ['v1', 'v2', 'v3']) leases.push(granted(await store.lease(pool, visit, T0)));
        // Expiries end up n3 < n2 < n1, the reverse of name order.
        await store.heartbeat(pool, 'v2', leases[1].token, T0 + 10_000);
        await store.heartbeat(pool, 'v1', leases[0].token, T0 + 20_000);
        const later = T0 + 200_000;
        const order = [];
        for (const visit of ['w1', 'w2', 'w3']) order.push(granted(await store.lease(pool, visit, later)).numberId);
        expect(order).toEqual(['n3', 'n2', 'n1']);
      });

      it('when a number is cooling down, then it is not handed out until the cool-down has passed', async () => {
        const pool = await poolWith(['n1']);
        granted(await store.lease(pool, 'v1', T0));
        const endedAt = T0 + LEASE_MS;
        expect(await store.lease(pool, 'v2', endedAt + COOLDOWN_MS - 1)).toEqual({ outcome: 'exhausted' });
        const second = granted(await store.lease(pool, 'v2', endedAt + COOLDOWN_MS));
        expect(second).toMatchObject({ numberId: 'n1', visitId: 'v2', token: 2 });
      });

      it('when a lease expired, then the same visit gets a new lease with a new token rather than a renewal', async () => {
        const pool = await poolWith(['n1', 'n2']);
        const first = granted(await store.lease(pool, 'v1', T0));
        const next = await store.lease(pool, 'v1', first.expiresAt);
        expect(next.outcome).toBe('granted');
        expect(granted(next).numberId).toBe('n2');
      });
    });

    describe('exhaustion', () => {
      it('when the pool overflows, then the lease is refused, nothing is leased and the exhaustion is counted', async () => {
        const pool = await poolWith(['n1', 'n2']);
        granted(await store.lease(pool, 'v1', T0));
        granted(await store.lease(pool, 'v2', T0));
        expect(await store.lease(pool, 'v3', T0 + 1)).toEqual({ outcome: 'exhausted' });
        expect(await store.lease(pool, 'v4', T0 + 2)).toEqual({ outcome: 'exhausted' });
        const stats = await store.stats(pool, T0 + 2);
        expect(stats).toEqual({ total: 2, leased: 2, available: 0, coolingDown: 0, exhaustedCount: 2 });
        expect(await store.heartbeat(pool, 'v3', 1, T0 + 3)).toEqual({ outcome: 'lost' });
      });

      it('when the pool recycles, then the lease renewed longest ago is displaced and the exhaustion is counted', async () => {
        const pool = await poolWith(['n1', 'n2'], { exhaustionPolicy: 'recycle' });
        const a = granted(await store.lease(pool, 'v1', T0));
        const b = granted(await store.lease(pool, 'v2', T0 + 1_000));
        await store.heartbeat(pool, 'v1', a.token, T0 + 2_000);

        const result = await store.lease(pool, 'v3', T0 + 3_000);

        expect(result).toEqual({
          outcome: 'granted',
          displacedVisitId: 'v2',
          lease: { numberId: b.numberId, visitId: 'v3', token: b.token + 1, startedAt: T0 + 3_000, renewedAt: T0 + 3_000, expiresAt: T0 + 3_000 + LEASE_MS },
        });
        expect(await store.heartbeat(pool, 'v2', b.token, T0 + 3_001)).toEqual({ outcome: 'lost' });
        const holders = await store.holders(pool, b.numberId, T0 + 3_001);
        expect(holders.live?.visitId).toBe('v3');
        expect(holders.recent).toEqual([{ visitId: 'v2', token: b.token, startedAt: T0 + 1_000, endedAt: T0 + 3_000 }]);
        expect((await store.stats(pool, T0 + 3_001)).exhaustedCount).toBe(1);
      });

      it('when the pool recycles but every number is resting rather than leased, then the lease is refused', async () => {
        const pool = await poolWith(['n1'], { exhaustionPolicy: 'recycle' });
        granted(await store.lease(pool, 'v1', T0));
        expect(await store.lease(pool, 'v2', T0 + LEASE_MS + 1)).toEqual({ outcome: 'exhausted' });
        expect((await store.stats(pool, T0 + LEASE_MS + 1)).exhaustedCount).toBe(1);
      });

      it('when 200 distinct visits lease concurrently from 20 numbers, then exactly 20 are granted, each number once', async () => {
        const numbers = Array.from({ length: 20 }, (_, i) => `n${String(i).padStart(2, '0')}`);
        const pool = await poolWith(numbers);
        const results = await Promise.all(Array.from({ length: 200 }, (_, i) => store.lease(pool, `v${i}`, T0)));
        const grantedLeases = results.flatMap((r) => (r.outcome === 'granted' ? [r.lease] : []));
        expect(grantedLeases).toHaveLength(20);
        expect(new Set(grantedLeases.map((l) => l.numberId)).size).toBe(20);
        expect(results.filter((r) => r.outcome === 'exhausted')).toHaveLength(180);
        expect((await store.stats(pool, T0)).exhaustedCount).toBe(180);
      });
    });

    describe('heartbeat', () => {
      it('when the visit holds the lease under this token, then the lease is extended', async () => {
        const pool = await poolWith(['n1']);
        const lease = granted(await store.lease(pool, 'v1', T0));
        const beat = T0 + LEASE_MS - 1;
        expect(await store.heartbeat(pool, 'v1', lease.token, beat)).toEqual({
          outcome: 'renewed',
          lease: { ...lease, renewedAt: beat, expiresAt: beat + LEASE_MS },
        });
        // Past the original expiry the lease is still live.
        expect((await store.holders(pool, 'n1', T0 + LEASE_MS + 1)).live?.visitId).toBe('v1');
      });

      it('when the token is wrong, then the lease is lost and left untouched', async () => {
        const pool = await poolWith(['n1']);
        const lease = granted(await store.lease(pool, 'v1', T0));
        expect(await store.heartbeat(pool, 'v1', lease.token + 1, T0 + 1_000)).toEqual({ outcome: 'lost' });
        expect((await store.holders(pool, 'n1', T0 + 1_000)).live).toEqual(lease);
      });

      it('when the lease expired, or the visit never had one, then it is lost', async () => {
        const pool = await poolWith(['n1']);
        const lease = granted(await store.lease(pool, 'v1', T0));
        expect(await store.heartbeat(pool, 'v1', lease.token, lease.expiresAt)).toEqual({ outcome: 'lost' });
        expect(await store.heartbeat(pool, 'nobody', 1, T0)).toEqual({ outcome: 'lost' });
      });

      it('when the visit holds a newer lease, then a heartbeat with the old token is lost', async () => {
        const pool = await poolWith(['n1'], { cooldownMs: 0 });
        const old = granted(await store.lease(pool, 'v1', T0));
        const fresh = granted(await store.lease(pool, 'v1', old.expiresAt));
        expect(fresh.token).toBe(old.token + 1);
        expect(await store.heartbeat(pool, 'v1', old.token, old.expiresAt + 1)).toEqual({ outcome: 'lost' });
        expect((await store.heartbeat(pool, 'v1', fresh.token, old.expiresAt + 1)).outcome).toBe('renewed');
      });
    });

    describe('holders', () => {
      it('when the lease is live, then it is returned; once expired, its holder is recent with endedAt = expiresAt', async () => {
        const pool = await poolWith(['n1']);
        const lease = granted(await store.lease(pool, 'v1', T0));
        expect(await store.holders(pool, 'n1', lease.expiresAt - 1)).toEqual({ live: lease, recent: [] });
        expect(await store.holders(pool, 'n1', lease.expiresAt)).toEqual({
          live: null,
          recent: [{ visitId: 'v1', token: lease.token, startedAt: T0, endedAt: lease.expiresAt }],
        });
      });

      it('when several holders ended, then recent lists those within the grace window, most recent first', async () => {
        const leaseMs = 1_000;
        const graceMs = 5_000;
        const pool = await poolWith(['n1'], { leaseMs, cooldownMs: 0, graceMs });
        for (const [i, visit] of ['v1', 'v2', 'v3'].entries()) granted(await store.lease(pool, visit, T0 + i * leaseMs));
        const allEnded = T0 + 3 * leaseMs;

        const all = await store.holders(pool, 'n1', allEnded);
        expect(all.live).toBeNull();
        expect(all.recent).toEqual([
          { visitId: 'v3', token: 3, startedAt: T0 + 2_000, endedAt: T0 + 3_000 },
          { visitId: 'v2', token: 2, startedAt: T0 + 1_000, endedAt: T0 + 2_000 },
          { visitId: 'v1', token: 1, startedAt: T0, endedAt: T0 + 1_000 },
        ]);
        // The window includes its boundary: endedAt >= now - graceMs.
        expect((await store.holders(pool, 'n1', T0 + 2_000 + graceMs)).recent.map((h) => h.visitId)).toEqual(['v3', 'v2']);
        expect((await store.holders(pool, 'n1', T0 + 3_000 + graceMs + 1)).recent).toEqual([]);
      });

      it('when a number was never leased, then it has no holders', async () => {
        const pool = await poolWith(['n1']);
        expect(await store.holders(pool, 'n1', T0)).toEqual({ live: null, recent: [] });
        expect(await store.holders(pool, 'unknown', T0)).toEqual({ live: null, recent: [] });
      });
    });

    describe('numbers', () => {
      it('when numbers are added twice, then nothing changes, and a leased number stays leased', async () => {
        const pool = await poolWith(['n1', 'n2']);
        granted(await store.lease(pool, 'v1', T0));
        await store.addNumbers(pool.poolId, ['n1', 'n2']);
        expect(await store.stats(pool, T0)).toEqual({ total: 2, leased: 1, available: 1, coolingDown: 0, exhaustedCount: 0 });
        expect((await store.holders(pool, 'n1', T0)).live?.visitId).toBe('v1');
      });

      it('when a leased number is removed, then its lease ends (removed), its holder stays recent, and its generation is kept', async () => {
        const pool = await poolWith(['n1', 'n2']);
        const lease = granted(await store.lease(pool, 'v1', T0));
        const removedAt = T0 + 5_000;
        await store.removeNumbers(pool.poolId, ['n1'], removedAt);

        expect(await store.holders(pool, 'n1', removedAt)).toEqual({
          live: null,
          recent: [{ visitId: 'v1', token: lease.token, startedAt: T0, endedAt: removedAt }],
        });
        expect(await store.heartbeat(pool, 'v1', lease.token, removedAt)).toEqual({ outcome: 'lost' });
        expect(await store.stats(pool, removedAt)).toEqual({ total: 1, leased: 0, available: 1, coolingDown: 0, exhaustedCount: 0 });
        const { events } = await store.readEvents(pool.poolId, 10);
        expect(events[events.length - 1]).toMatchObject({ type: 'ended', numberId: 'n1', visitId: 'v1', reason: 'removed', at: removedAt });

        await store.addNumbers(pool.poolId, ['n1']);
        await store.removeNumbers(pool.poolId, ['n2'], removedAt);
        expect(granted(await store.lease(pool, 'v2', removedAt)).token).toBe(lease.token + 1);
      });

      it('when a free number is removed, then it is never handed out', async () => {
        const pool = await poolWith(['n1']);
        await store.removeNumbers(pool.poolId, ['n1'], T0);
        expect(await store.lease(pool, 'v1', T0)).toEqual({ outcome: 'exhausted' });
        expect((await store.stats(pool, T0)).total).toBe(0);
      });
    });

    describe('stats', () => {
      it('when numbers are leased, cooling down and available, then each is counted once', async () => {
        const pool = await poolWith(['n1', 'n2', 'n3', 'n4']);
        granted(await store.lease(pool, 'v1', T0));
        granted(await store.lease(pool, 'v2', T0 + 30_000));
        const now = T0 + LEASE_MS + 1; // v1 expired and is cooling down; v2 is live
        expect(await store.stats(pool, now)).toEqual({ total: 4, leased: 1, available: 2, coolingDown: 1, exhaustedCount: 0 });
        expect(await store.stats(pool, T0 + LEASE_MS + COOLDOWN_MS)).toMatchObject({ leased: 1, available: 3, coolingDown: 0 });
      });
    });

    describe('events', () => {
      it('when a lease is granted and expires, then granted and ended events carry their fields, oldest first', async () => {
        const pool = await poolWith(['n1']);
        const lease = granted(await store.lease(pool, 'v1', T0));
        await store.heartbeat(pool, 'v1', lease.token, T0 + 1_000);
        await store.holders(pool, 'n1', T0 + 1_000 + LEASE_MS);

        const { ids, events } = await store.readEvents(pool.poolId, 10);
        expect(ids).toHaveLength(2);
        expect(events).toEqual([
          { type: 'granted', poolId: pool.poolId, numberId: 'n1', visitId: 'v1', token: lease.token, at: T0 },
          {
            type: 'ended',
            poolId: pool.poolId,
            numberId: 'n1',
            visitId: 'v1',
            token: lease.token,
            startedAt: T0,
            renewedAt: T0 + 1_000,
            at: T0 + 1_000 + LEASE_MS,
            reason: 'expired',
          },
        ]);
      });

      it('when a displaced lease ends, then its ended event says displaced before the new grant', async () => {
        const pool = await poolWith(['n1'], { exhaustionPolicy: 'recycle' });
        granted(await store.lease(pool, 'v1', T0));
        granted(await store.lease(pool, 'v2', T0 + 1));
        const { events } = await store.readEvents(pool.poolId, 10);
        expect(events.map((e) => [e.type, e.visitId, e.type === 'ended' ? e.reason : e.type === 'granted' ? e.token : e.note])).toEqual([
          ['granted', 'v1', 1],
          ['ended', 'v1', 'displaced'],
          ['granted', 'v2', 2],
        ]);
      });

      it('when a lease request carries a note, then the note is logged before the grant, and even when the pool is exhausted', async () => {
        const pool = await poolWith(['n1']);
        granted(await store.lease(pool, 'v1', T0, '{"visit":1}'));
        expect((await store.lease(pool, 'v2', T0 + 1, '{"visit":2}')).outcome).toBe('exhausted');
        const { events } = await store.readEvents(pool.poolId, 10);
        expect(events).toEqual([
          { type: 'note', poolId: pool.poolId, visitId: 'v1', at: T0, note: '{"visit":1}' },
          { type: 'granted', poolId: pool.poolId, numberId: 'n1', visitId: 'v1', token: 1, at: T0 },
          { type: 'note', poolId: pool.poolId, visitId: 'v2', at: T0 + 1, note: '{"visit":2}' },
        ]);
      });

      it('when events are read but not acknowledged, then they are read again; once acknowledged, they are gone', async () => {
        const pool = await poolWith(['n1', 'n2', 'n3']);
        for (const visit of ['v1', 'v2', 'v3']) granted(await store.lease(pool, visit, T0));

        const first = await store.readEvents(pool.poolId, 2);
        expect(first.events.map((e) => e.visitId)).toEqual(['v1', 'v2']);
        const again = await store.readEvents(pool.poolId, 2);
        expect(again).toEqual(first);

        await store.ackEvents(pool.poolId, first.ids);
        const rest = await store.readEvents(pool.poolId, 2);
        expect(rest.events.map((e) => e.visitId)).toEqual(['v3']);
        await store.ackEvents(pool.poolId, rest.ids);
        expect(await store.readEvents(pool.poolId, 2)).toEqual({ ids: [], events: [] });
      });

      it('when a pool has no events yet, then reading returns none', async () => {
        const pool = settings();
        expect(await store.readEvents(pool.poolId, 5)).toEqual({ ids: [], events: [] });
      });
    });

    describe('clock', () => {
      it('when a request arrives with an older now than the pool has seen, then the pool keeps its own time', async () => {
        // Two app instances read their clocks a few ms apart; the later-arriving, earlier-stamped
        // request must not end a lease before it began, nor start one before its predecessor ended.
        const pool = await poolWith(['n1'], { exhaustionPolicy: 'recycle' });
        granted(await store.lease(pool, 'v1', T0 + 10));
        const second = granted(await store.lease(pool, 'v2', T0));
        expect(second).toMatchObject({ startedAt: T0 + 10, expiresAt: T0 + 10 + LEASE_MS, token: 2 });
        const { events } = await store.readEvents(pool.poolId, 10);
        const ended = events.find((e) => e.type === 'ended');
        expect(ended).toMatchObject({ visitId: 'v1', startedAt: T0 + 10, at: T0 + 10, reason: 'displaced' });
        expect((await store.holders(pool, 'n1', T0 + 5)).recent).toEqual([{ visitId: 'v1', token: 1, startedAt: T0 + 10, endedAt: T0 + 10 }]);
      });
    });

    describe('restore', () => {
      const snapshotOf = (numberIds: string[]) => ({ numbers: numberIds.map((numberId) => ({ numberId, generation: 0, availableAt: 0, recent: [] })), leases: [] });

      it('when a lost pool is restored, then open leases return to their holders with a fresh lifetime and tokens keep rising', async () => {
        const pool = settings();
        const snapshot = {
          numbers: [
            { numberId: 'n1', generation: 4, availableAt: 0, recent: [] },
            { numberId: 'n2', generation: 2, availableAt: T0 + 5_000, recent: [{ visitId: 'v0', token: 2, startedAt: T0 - 50_000, endedAt: T0 - 5_000 }] },
            { numberId: 'n3', generation: 0, availableAt: 0, recent: [] },
          ],
          leases: [{ numberId: 'n1', visitId: 'v1', token: 4, startedAt: T0 - 30_000 }],
        };
        expect(await store.restore(pool, snapshot, T0)).toEqual({ numbers: 3, leases: 1 });

        expect(await store.lease(pool, 'v1', T0 + 1)).toEqual({
          outcome: 'renewed',
          lease: { numberId: 'n1', visitId: 'v1', token: 4, startedAt: T0 - 30_000, renewedAt: T0 + 1, expiresAt: T0 + 1 + LEASE_MS },
        });
        // n2 still rests until T0 + 5s, so a newcomer gets n3 first; n2's recent holder is remembered.
        expect(granted(await store.lease(pool, 'v2', T0 + 2)).numberId).toBe('n3');
        expect((await store.holders(pool, 'n2', T0 + 3)).recent.map((h) => h.visitId)).toEqual(['v0']);
        expect(granted(await store.lease(pool, 'v3', T0 + 5_000))).toMatchObject({ numberId: 'n2', token: 3 });
        expect(await store.stats(pool, T0 + 5_000)).toMatchObject({ total: 3, leased: 3 });
      });

      it('when a healthy pool is restored, then nothing changes', async () => {
        const pool = await poolWith(['n1', 'n2']);
        const lease = granted(await store.lease(pool, 'v1', T0));
        const snapshot = { ...snapshotOf(['n1', 'n2']), leases: [{ numberId: lease.numberId, visitId: 'someone-else', token: 9, startedAt: T0 - 1 }] };
        expect(await store.restore(pool, snapshot, T0 + 1)).toEqual({ numbers: 0, leases: 0 });
        expect((await store.holders(pool, lease.numberId, T0 + 1)).live).toEqual(lease);
        expect(await store.stats(pool, T0 + 1)).toMatchObject({ total: 2, leased: 1, available: 1 });
      });

      it('when a snapshot lease is older than the number\'s generation, or its visit already holds a number, then the number comes back free', async () => {
        const pool = settings();
        const snapshot = {
          numbers: [
            { numberId: 'n1', generation: 5, availableAt: 0, recent: [] },
            { numberId: 'n2', generation: 1, availableAt: 0, recent: [] },
            { numberId: 'n3', generation: 1, availableAt: 0, recent: [] },
          ],
          leases: [
            { numberId: 'n1', visitId: 'stale', token: 3, startedAt: T0 - 1 },
            { numberId: 'n2', visitId: 'v1', token: 1, startedAt: T0 - 1 },
            { numberId: 'n3', visitId: 'v1', token: 1, startedAt: T0 - 1 },
          ],
        };
        expect(await store.restore(pool, snapshot, T0)).toEqual({ numbers: 3, leases: 1 });
        expect((await store.holders(pool, 'n1', T0)).live).toBeNull();
        expect(await store.stats(pool, T0)).toMatchObject({ total: 3, leased: 1, available: 2 });
        expect(granted(await store.lease(pool, 'v9', T0))).toMatchObject({ numberId: 'n1', token: 6 });
      });
    });

    describe('forgetVisits', () => {
      it('when a visit is forgotten, then its lease ends without an event, its number rests, and nothing mentions it', async () => {
        const pool = await poolWith(['n1', 'n2']);
        // 'gone' leaves a trace everywhere: a delivered (pending) note and grant, a recent holder, an
        // undelivered 'ended' event, a live lease and its grant; 'kept' shares a number with it.
        granted(await store.lease(pool, 'gone', T0, '{"visit":"gone"}'));
        expect((await store.readEvents(pool.poolId, 10)).ids).toHaveLength(2);
        await store.holders(pool, 'n1', T0 + LEASE_MS);
        const back = T0 + LEASE_MS + COOLDOWN_MS;
        const again = granted(await store.lease(pool, 'gone', back));
        expect(again.numberId).toBe('n2');
        const kept = granted(await store.lease(pool, 'kept', back));
        expect(kept.numberId).toBe('n1');
        const now = back + 1_000;

        expect(await store.forgetVisits(pool, ['gone'], now)).toEqual({ leasesEnded: 1, holdersForgotten: 1 });

        expect(await store.heartbeat(pool, 'gone', again.token, now)).toEqual({ outcome: 'lost' });
        expect(await store.holders(pool, 'n2', now)).toEqual({ live: null, recent: [] });
        expect(await store.holders(pool, 'n1', now)).toEqual({ live: kept, recent: [] });
        expect(await store.stats(pool, now)).toEqual({ total: 2, leased: 1, available: 0, coolingDown: 1, exhaustedCount: 0 });
        const { events } = await store.readEvents(pool.poolId, 10);
        expect(events).toEqual([{ type: 'granted', poolId: pool.poolId, numberId: 'n1', visitId: 'kept', token: 2, at: back }]);
        expect(await fixture.keysMentioning(['gone'])).toEqual([]);
        expect(await store.lease(pool, 'next', now + COOLDOWN_MS - 1)).toEqual({ outcome: 'exhausted' });
        expect(granted(await store.lease(pool, 'next', now + COOLDOWN_MS))).toMatchObject({ numberId: 'n2', token: again.token + 1 });
      });

      it('when the forgotten lease had expired unnoticed, then its number rests from the expiry, not from now', async () => {
        const pool = await poolWith(['n1']);
        const lease = granted(await store.lease(pool, 'gone', T0));
        const now = lease.expiresAt + COOLDOWN_MS + 5_000;
        expect(await store.forgetVisits(pool, ['gone', 'never-seen'], now)).toEqual({ leasesEnded: 1, holdersForgotten: 0 });
        expect(await store.stats(pool, now)).toMatchObject({ leased: 0, available: 1 });
        expect((await store.readEvents(pool.poolId, 10)).events).toEqual([]);
        expect(await fixture.keysMentioning(['gone'])).toEqual([]);
      });

      it('when the visits are unknown, or none are given, then nothing changes', async () => {
        const pool = await poolWith(['n1', 'n2']);
        const lease = granted(await store.lease(pool, 'v1', T0));
        expect(await store.forgetVisits(pool, ['someone-else'], T0 + 1)).toEqual({ leasesEnded: 0, holdersForgotten: 0 });
        expect(await store.forgetVisits(pool, [], T0 + 1)).toEqual({ leasesEnded: 0, holdersForgotten: 0 });
        expect((await store.holders(pool, 'n1', T0 + 1)).live).toEqual(lease);
        expect((await store.readEvents(pool.poolId, 10)).events.map((e) => e.visitId)).toEqual(['v1']);
      });
    });

    describe('forgetHoldersBefore', () => {
      it('when holders ended before the cutoff, then they are forgotten and later ones stay', async () => {
        const pool = await poolWith(['n1'], { leaseMs: 1_000, cooldownMs: 0, graceMs: 60 * 60_000 });
        for (const [i, visit] of ['v1', 'v2', 'v3'].entries()) granted(await store.lease(pool, visit, T0 + i * 1_000));
        const allEnded = T0 + 3_000;
        await store.holders(pool, 'n1', allEnded);

        // The boundary stays: only endedAt < cutoff goes.
        expect(await store.forgetHoldersBefore(pool, T0 + 2_000)).toBe(1);
        expect((await store.holders(pool, 'n1', allEnded)).recent.map((h) => h.visitId)).toEqual(['v3', 'v2']);
        expect(await store.forgetHoldersBefore(pool, T0 + 2_000)).toBe(0);

        expect(await store.forgetHoldersBefore(pool, allEnded + 1)).toBe(2);
        expect((await store.holders(pool, 'n1', allEnded)).recent).toEqual([]);
        // Once the lease history has persisted the events, nothing is left of these visits.
        await store.ackEvents(pool.poolId, (await store.readEvents(pool.poolId, 10)).ids);
        expect(await fixture.keysMentioning(['v1', 'v2', 'v3'])).toEqual([]);
      });

      it('when a lease expired unnoticed before the cutoff, then it is reclaimed with its ended event and forgotten', async () => {
        const pool = await poolWith(['n1', 'n2']);
        const old = granted(await store.lease(pool, 'old', T0));
        const cutoff = old.expiresAt + 1;

        expect(await store.forgetHoldersBefore(pool, cutoff)).toBe(1);

        expect(await store.holders(pool, old.numberId, cutoff)).toEqual({ live: null, recent: [] });
        const { events } = await store.readEvents(pool.poolId, 10);
        expect(events[events.length - 1]).toMatchObject({ type: 'ended', visitId: 'old', at: old.expiresAt, reason: 'expired' });
        expect(await store.stats(pool, old.expiresAt + COOLDOWN_MS)).toMatchObject({ leased: 0, available: 2 });
      });

      it('when a lease is live or ended after the cutoff, then it is left alone', async () => {
        const pool = await poolWith(['n1', 'n2']);
        granted(await store.lease(pool, 'recent', T0));
        const live = granted(await store.lease(pool, 'live', T0 + 100_000));
        await store.holders(pool, 'n1', T0 + 100_000);
        expect(await store.forgetHoldersBefore(pool, T0)).toBe(0);
        expect(await store.holders(pool, live.numberId, T0 + 100_000)).toMatchObject({ live });
        expect((await store.holders(pool, 'n1', T0 + 100_000)).recent.map((h) => h.visitId)).toEqual(['recent']);
      });
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
