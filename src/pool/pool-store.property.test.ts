import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import type Redis from 'ioredis';
import { describeWithRedis } from '../../test/support/conditional';
import { propertyParameters } from '../../test/support/property-runs';
import { connectTestRedis, deleteKeysWithPrefix, uniquePrefix } from '../../test/support/redis';
import { ReferencePool, type ReferenceLeaseEvent } from '../../test/support/reference-pool';
import { MemoryPoolStore } from './memory-pool-store';
import { RECENT_HOLDERS_KEPT } from './pool-limits';
import type { HeartbeatResult, LeaseEvent, LeaseResult, LiveLease, PoolSettings, PoolStore } from './pool-store';
import { RedisPoolStore } from './redis/redis-pool-store';

/**
 * Model-based property test of both pool stores: random sequences of leases, heartbeats (right and
 * stale tokens), holder lookups, stats, event reads, number removals and additions, and clock jumps
 * (around and beyond lease, cool-down and grace) run against the store and against ReferencePool
 * (test/support/reference-pool.ts), and every answer must match. After each step (unless looking
 * would itself reclaim expired leases) the store's whole observable state is compared too: holders of
 * every number, stats and the pending lease events. The safety invariants are checked on the store's
 * own answers, independently of the model: no number leased to two visits, no visit holding two
 * numbers, fencing tokens strictly increasing per number.
 *
 * Fixed seed and run count by default; PROPERTY_RUNS and PROPERTY_SEED run longer hunts locally
 * (see test/support/property-runs.ts), e.g.
 *   PROPERTY_RUNS=5000 PROPERTY_SEED=7 npm test -- src/pool/pool-store.property
 */

/** Every number a pool may ever hold; a pool starts with 1 to 5 of them. */
const NUMBERS = ['n1', 'n2', 'n3', 'n4', 'n5'] as const;
const VISITS = ['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7'] as const;
const MAX_STEPS = 50;
const DEFAULTS = { numRuns: 200, seed: 42 };

interface World {
  settings: PoolSettings;
  reference: ReferencePool;
  now: number;
  /** When the store last reclaimed expired leases; a snapshot at that same time reads without changing anything. */
  reclaimedAt?: number;
  /** Live leases as the store reported them, for the invariants that do not trust the model. */
  observedLive: Map<string, LiveLease>;
  lastTokenOfNumber: Map<string, number>;
  lastTokenOfVisit: Map<string, number>;
}

interface Real {
  store: PoolStore;
}

abstract class Step implements fc.AsyncCommand<World, Real> {
  check(): boolean {
    return true;
  }
  abstract run(w: World, r: Real): Promise<void>;
  abstract toString(): string;
}

class Lease extends Step {
  constructor(private readonly visitId: string) {
    super();
  }
  async run(w: World, r: Real): Promise<void> {
    const actual = await r.store.lease(w.settings, this.visitId, w.now);
    w.reclaimedAt = w.now;
    observeLease(w, this.visitId, actual);
    expectSame(actual, w.reference.lease(this.visitId, w.now), `lease(${this.visitId}) at ${w.now}`);
    await verifySnapshot(w, r);
  }
  toString(): string {
    return `lease(${this.visitId})`;
  }
}

/** A visit by name, or the i-th visit (by number) that the store last said holds a live lease. */
type VisitChoice = string | { holder: number };
/** The token the visit was granted last, the one before, or a fixed guess. */
type TokenChoice = 'latest' | 'previous' | number;

class Heartbeat extends Step {
  constructor(
    private readonly visit: VisitChoice,
    private readonly choice: TokenChoice,
  ) {
    super();
  }
  async run(w: World, r: Real): Promise<void> {
    const visitId = this.visitId(w);
    const latest = w.lastTokenOfVisit.get(visitId) ?? 1;
    const token = this.choice === 'latest' ? latest : this.choice === 'previous' ? latest - 1 : this.choice;
    const actual = await r.store.heartbeat(w.settings, visitId, token, w.now);
    w.reclaimedAt = w.now;
    observeHeartbeat(w, visitId, token, actual);
    expectSame(actual, w.reference.heartbeat(visitId, token, w.now), `heartbeat(${visitId}, ${token}) at ${w.now}`);
    await verifySnapshot(w, r);
  }
  private visitId(w: World): string {
    if (typeof this.visit === 'string') return this.visit;
    const holders = [...w.observedLive.values()].filter((l) => l.expiresAt > w.now).sort((a, b) => (a.numberId < b.numberId ? -1 : 1));
    return holders.length > 0 ? holders[this.visit.holder % holders.length].visitId : VISITS[this.visit.holder % VISITS.length];
  }
  toString(): string {
    const visit = typeof this.visit === 'string' ? this.visit : `holder #${this.visit.holder}`;
    return `heartbeat(${visit}, ${this.choice})`;
  }
}

class Holders extends Step {
  constructor(private readonly numberId: string) {
    super();
  }
  async run(w: World, r: Real): Promise<void> {
    const actual = await r.store.holders(w.settings, this.numberId, w.now);
    w.reclaimedAt = w.now;
    expectSame(actual, w.reference.holders(this.numberId, w.now), `holders(${this.numberId}) at ${w.now}`);
    await verifySnapshot(w, r);
  }
  toString(): string {
    return `holders(${this.numberId})`;
  }
}

class Stats extends Step {
  async run(w: World, r: Real): Promise<void> {
    const actual = await r.store.stats(w.settings, w.now);
    w.reclaimedAt = w.now;
    expectSame(actual, w.reference.stats(w.now), `stats() at ${w.now}`);
    await verifySnapshot(w, r);
  }
  toString(): string {
    return 'stats()';
  }
}

type TimeUnit = 'second' | 'lease' | 'cooldown' | 'grace';

/** Moves the clock by multiple x unit + offset, so jumps land just before, on and after each boundary. */
class Advance extends Step {
  constructor(private readonly by: { unit: TimeUnit; multiple: number; offset: number }) {
    super();
  }
  async run(w: World): Promise<void> {
    const unitMs = { second: 1_000, lease: w.settings.leaseMs, cooldown: w.settings.cooldownMs, grace: w.settings.graceMs }[this.by.unit];
    w.now += Math.max(0, this.by.multiple * unitMs + this.by.offset);
  }
  toString(): string {
    return `advance(${this.by.multiple} x ${this.by.unit} ${this.by.offset >= 0 ? '+' : '-'} ${Math.abs(this.by.offset)}ms)`;
  }
}

type Boundary = 'expiry' | 'rested' | 'graceEnd';

/**
 * Moves the clock to just before, onto or just after a boundary of a lease the store granted: its
 * expiry, the end of the cool-down after it, or the end of the grace window after it. Random jumps
 * rarely land on a boundary exactly, and that is where off-by-one bugs live.
 */
class AdvanceToBoundary extends Step {
  constructor(private readonly to: { boundary: Boundary; lease: number; offset: -1 | 0 | 1 }) {
    super();
  }
  async run(w: World): Promise<void> {
    const extra = { expiry: 0, rested: w.settings.cooldownMs, graceEnd: w.settings.graceMs }[this.to.boundary];
    const ahead = [...w.observedLive.values()].map((l) => l.expiresAt + extra + this.to.offset).filter((t) => t >= w.now);
    if (ahead.length === 0) return;
    ahead.sort((a, b) => a - b);
    w.now = ahead[this.to.lease % ahead.length];
  }
  toString(): string {
    return `advanceTo(${this.to.boundary} of lease #${this.to.lease} ${this.to.offset >= 0 ? '+' : '-'} ${Math.abs(this.to.offset)}ms)`;
  }
}

class RemoveNumbers extends Step {
  constructor(private readonly numberIds: string[]) {
    super();
  }
  async run(w: World, r: Real): Promise<void> {
    await r.store.removeNumbers(w.settings.poolId, this.numberIds, w.now);
    w.reference.removeNumbers(this.numberIds, w.now);
    for (const id of this.numberIds) w.observedLive.delete(id);
    await verifySnapshot(w, r);
  }
  toString(): string {
    return `removeNumbers(${this.numberIds.join(', ')})`;
  }
}

class AddNumbers extends Step {
  constructor(private readonly numberIds: string[]) {
    super();
  }
  async run(w: World, r: Real): Promise<void> {
    await r.store.addNumbers(w.settings.poolId, this.numberIds);
    w.reference.addNumbers(this.numberIds);
    await verifySnapshot(w, r);
  }
  toString(): string {
    return `addNumbers(${this.numberIds.join(', ')})`;
  }
}

/** Drains the event log in small batches; optionally re-reads the first batch before acknowledging it, as after a crash. */
class DrainEvents extends Step {
  constructor(
    private readonly batch: number,
    private readonly rereadFirstBatch: boolean,
  ) {
    super();
  }
  async run(w: World, r: Real): Promise<void> {
    await drainEvents(w, r, this.batch, this.rereadFirstBatch);
  }
  toString(): string {
    return `drainEvents(batch ${this.batch}${this.rereadFirstBatch ? ', re-read first batch' : ''})`;
  }
}

/**
 * Reads and acknowledges every pending lease event, as the lease-history writer does, and compares
 * them with the model's. Reading and acknowledging change nothing else in the pool.
 */
async function drainEvents(w: World, r: Real, batch: number, rereadFirstBatch = false): Promise<void> {
  const poolId = w.settings.poolId;
  const drained: ReferenceLeaseEvent[] = [];
  for (let round = 0; ; round += 1) {
    if (round > 1_000) throw new Error('readEvents kept returning events after they were acknowledged');
    const read = await r.store.readEvents(poolId, batch);
    if (round === 0 && rereadFirstBatch) expectSame(await r.store.readEvents(poolId, batch), read, 'events read again before ack');
    if (read.ids.length === 0) break;
    if (read.ids.length > batch) throw new Error(`readEvents(${batch}) returned ${read.ids.length} events`);
    drained.push(...read.events.filter(isLeaseEvent));
    await r.store.ackEvents(poolId, read.ids);
  }
  expectSame(drained, w.reference.takeEvents(), 'lease events');
}

/**
 * toEqual with jest's diff, but only built on a mismatch: creating an expect() per comparison costs
 * more than the store call, and a run makes tens of thousands of comparisons.
 */
function expectSame<T>(actual: T, expected: T, what: string): void {
  if (isDeepStrictEqual(actual, expected)) return;
  try {
    expect(actual).toEqual(expected);
  } catch (err) {
    throw new Error(`${what}: the store and the reference model disagree\n${(err as Error).message}`, { cause: err });
  }
}

function isLeaseEvent(e: LeaseEvent): e is Extract<LeaseEvent, { type: 'granted' | 'ended' }> {
  return e.type === 'granted' || e.type === 'ended';
}

/** Safety checks on a lease answer that rely only on what the store said before. */
function observeLease(w: World, visitId: string, result: LeaseResult): void {
  if (result.outcome === 'exhausted') return;
  const lease = result.lease;
  if (lease.visitId !== visitId) throw new Error(`lease(${visitId}) answered with a lease of ${lease.visitId}`);
  if (result.outcome === 'renewed') {
    expectRenewalOfObservedLease(w, lease);
    return;
  }
  const previous = w.observedLive.get(lease.numberId);
  const previousStillLive = previous !== undefined && previous.expiresAt > w.now;
  if (previousStillLive && result.displacedVisitId !== previous.visitId) {
    throw new Error(`double lease: ${lease.numberId} granted to ${visitId} while ${previous.visitId} still held it until ${previous.expiresAt} (now ${w.now})`);
  }
  if (!previousStillLive && result.displacedVisitId !== undefined) {
    throw new Error(`${lease.numberId} reported displacing ${result.displacedVisitId}, but no live lease on it was known`);
  }
  for (const other of w.observedLive.values()) {
    if (other.visitId === visitId && other.expiresAt > w.now && other.numberId !== lease.numberId) {
      throw new Error(`${visitId} granted ${lease.numberId} while still holding ${other.numberId} until ${other.expiresAt} (now ${w.now})`);
    }
  }
  const lastToken = w.lastTokenOfNumber.get(lease.numberId) ?? 0;
  if (lease.token <= lastToken) throw new Error(`token on ${lease.numberId} went from ${lastToken} to ${lease.token}`);
  w.lastTokenOfNumber.set(lease.numberId, lease.token);
  w.lastTokenOfVisit.set(visitId, lease.token);
  w.observedLive.set(lease.numberId, lease);
}

function observeHeartbeat(w: World, visitId: string, token: number, result: HeartbeatResult): void {
  if (result.outcome === 'renewed') {
    if (result.lease.visitId !== visitId || result.lease.token !== token) {
      throw new Error(`heartbeat(${visitId}, token ${token}) was accepted but renewed another lease: ${JSON.stringify(result.lease)}`);
    }
    expectRenewalOfObservedLease(w, result.lease);
    return;
  }
  const held = [...w.observedLive.values()].find((l) => l.visitId === visitId && l.token === token && l.expiresAt > w.now);
  if (held) throw new Error(`heartbeat of ${visitId} with token ${token} was refused although it holds ${held.numberId} until ${held.expiresAt} (now ${w.now})`);
}

function expectRenewalOfObservedLease(w: World, lease: LiveLease): void {
  const previous = w.observedLive.get(lease.numberId);
  if (!previous || previous.expiresAt <= w.now) throw new Error(`renewed a lease on ${lease.numberId} that was not live: ${JSON.stringify(previous)} (now ${w.now})`);
  expectSame(lease, { ...previous, renewedAt: w.now, expiresAt: w.now + w.settings.leaseMs }, 'renewal of the lease the store granted');
  w.observedLive.set(lease.numberId, lease);
}

/**
 * Compares the store's whole observable state (holders of every number, stats, pending events) with
 * the model and checks the invariants on it. Only when the store already reclaimed at this time:
 * otherwise the look itself would end expired leases earlier than the sequence under test does.
 */
async function verifySnapshot(w: World, r: Real): Promise<void> {
  if (w.reclaimedAt !== w.now) return;
  const holderOf = new Map<string, string>();
  for (const numberId of NUMBERS) {
    const actual = await r.store.holders(w.settings, numberId, w.now);
    expectSame(actual, w.reference.holders(numberId, w.now), `snapshot holders(${numberId}) at ${w.now}`);
    const observed = w.observedLive.get(numberId);
    if (actual.live) {
      const other = holderOf.get(actual.live.visitId);
      if (other) throw new Error(`${actual.live.visitId} holds both ${other} and ${numberId}`);
      holderOf.set(actual.live.visitId, numberId);
      if (actual.live.expiresAt <= w.now) throw new Error(`${numberId} shows an expired lease as live: ${JSON.stringify(actual.live)} (now ${w.now})`);
      expectSame(actual.live, observed, `live lease on ${numberId} as its holder was told`);
    } else if (observed && observed.expiresAt > w.now) {
      throw new Error(`${numberId} shows no live lease although ${observed.visitId} was told it holds it until ${observed.expiresAt} (now ${w.now})`);
    }
    const tokens = [...(actual.live ? [actual.live.token] : []), ...actual.recent.map((h) => h.token)];
    if (tokens.some((t, i) => i > 0 && t >= tokens[i - 1])) throw new Error(`tokens on ${numberId}, most recent first, do not strictly decrease: ${tokens.join(', ')}`);
    if (actual.recent.length > RECENT_HOLDERS_KEPT) throw new Error(`${numberId} lists ${actual.recent.length} recent holders`);
  }
  expectSame(await r.store.stats(w.settings, w.now), w.reference.stats(w.now), `snapshot stats() at ${w.now}`);
  await drainEvents(w, r, 50);
}

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...VISITS).map((v) => new Lease(v)) },
  {
    weight: 4,
    arbitrary: fc
      .tuple(
        fc.oneof(fc.constantFrom<VisitChoice>(...VISITS), fc.record({ holder: fc.integer({ min: 0, max: 4 }) })),
        fc.oneof(fc.constantFrom<TokenChoice>('latest', 'latest', 'previous'), fc.integer({ min: 0, max: 4 })),
      )
      .map(([v, choice]) => new Heartbeat(v, choice)),
  },
  {
    weight: 5,
    arbitrary: fc
      .record({
        unit: fc.constantFrom<TimeUnit>('second', 'lease', 'cooldown', 'grace'),
        multiple: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.integer({ min: 1, max: 3 }) }),
        offset: fc.oneof(fc.constantFrom(-1, 0, 1), fc.integer({ min: 0, max: 2_000 })),
      })
      .map((by) => new Advance(by)),
  },
  {
    weight: 3,
    arbitrary: fc
      .record({ boundary: fc.constantFrom<Boundary>('expiry', 'rested', 'graceEnd'), lease: fc.nat(4), offset: fc.constantFrom<-1 | 0 | 1>(-1, 0, 1) })
      .map((to) => new AdvanceToBoundary(to)),
  },
  { weight: 2, arbitrary: fc.constantFrom(...NUMBERS).map((n) => new Holders(n)) },
  { weight: 1, arbitrary: fc.constant(new Stats()) },
  { weight: 1, arbitrary: fc.subarray([...NUMBERS], { minLength: 1, maxLength: 2 }).map((ids) => new RemoveNumbers(ids)) },
  { weight: 1, arbitrary: fc.subarray([...NUMBERS], { minLength: 1, maxLength: 3 }).map((ids) => new AddNumbers(ids)) },
  { weight: 2, arbitrary: fc.tuple(fc.integer({ min: 1, max: 6 }), fc.boolean()).map(([batch, reread]) => new DrainEvents(batch, reread)) },
);

const scenarioArbitrary = fc.record({
  settings: fc.record({
    leaseMs: fc.oneof(fc.constantFrom(1, 1_000, 60_000), fc.integer({ min: 1, max: 120_000 })),
    cooldownMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 120_000 })),
    graceMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 300_000 })),
    exhaustionPolicy: fc.constantFrom<PoolSettings['exhaustionPolicy']>('overflow', 'recycle'),
  }),
  // One number often: one number churning through many holders is where recent-holder lists fill up.
  numbers: fc.oneof(fc.shuffledSubarray([...NUMBERS], { minLength: 1, maxLength: 1 }), fc.shuffledSubarray([...NUMBERS], { minLength: 1, maxLength: NUMBERS.length })),
  // Realistic epoch milliseconds, so any loss of precision in Lua or in a decoder shows.
  t0: fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2035, 0, 1) }),
});

/** The property for one store; `openPool` gives a store and a pool id no earlier run has used. */
function agreesWithReferenceModel(openPool: () => { store: PoolStore; poolId: string }) {
  return fc.asyncProperty(scenarioArbitrary, fc.commands([stepArbitrary], { maxCommands: MAX_STEPS, size: 'max' }), async (scenario, steps) => {
    const { store, poolId } = openPool();
    const settings: PoolSettings = { ...scenario.settings, poolId };
    const reference = new ReferencePool(settings);
    await store.addNumbers(poolId, scenario.numbers);
    reference.addNumbers(scenario.numbers);
    const world: World = { settings, reference, now: scenario.t0, observedLive: new Map(), lastTokenOfNumber: new Map(), lastTokenOfVisit: new Map() };
    await fc.asyncModelRun(() => ({ model: world, real: { store } }), steps);
  });
}

describe('MemoryPoolStore against the reference model', () => {
  it('when random operation sequences run, then every answer matches the model and no number is ever leased twice', async () => {
    await fc.assert(
      agreesWithReferenceModel(() => ({ store: new MemoryPoolStore(), poolId: 'p1' })),
      propertyParameters(DEFAULTS),
    );
  });
});

describeWithRedis('RedisPoolStore against the reference model', () => {
  let redis: Redis;
  const prefix = uniquePrefix('property');
  beforeAll(() => {
    redis = connectTestRedis();
  });
  afterAll(async () => {
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
  });

  it('when random operation sequences run, then every answer matches the model and no number is ever leased twice', async () => {
    const store = new RedisPoolStore(redis, prefix, { consumerName: 'property-test' });
    let runs = 0;
    await fc.assert(
      agreesWithReferenceModel(() => {
        runs += 1;
        return { store, poolId: `p${runs}` };
      }),
      propertyParameters(DEFAULTS),
    );
  }, 120_000);
});
