import { attributeCall, type Attribution } from '../calls/domain/attribution';
import type { LeaseResult, PoolSettings, PoolStore } from '../pool/pool-store';
import { EventQueue } from './event-queue';
import { countScore, emptyCounts, scoreCall, type ScoreCounts } from './scoring';
import { SeededRandom } from './seeded-random';
import { validateSettings, type SimulationSettings } from './simulation-settings';
import { nextArrival, offlineCallsPerHourAtPeak, planVisit, type PlannedCall, type VisitPlan } from './traffic-model';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Midnight, Monday 6 January 2025 (UTC): the simulated site's day 0. Any fixed epoch would do. */
export const SIMULATION_EPOCH = Date.UTC(2025, 0, 6);
export const SIMULATION_POOL_ID = 'sim';
/** The lease history is drained this often (simulated), as the service's writer would, so the store's log stays small. */
const DRAIN_EVERY_MS = 15 * 60_000;
const DRAIN_BATCH = 5000;
/** What a visit sees when the pool is exhausted under 'overflow': a number that identifies no visit. */
const OVERFLOW = 'overflow';

/** Independent random streams of one seed (see SeededRandom.stream). */
export const STREAMS = { arrivals: 0, visits: 1, offline: 2, poolChoice: 3 } as const;

/** When a call came, relative to the visit: during it, after it but within lease + grace of its last heartbeat, or later. */
export type CallWindow = 'duringVisit' | 'withinWindow' | 'afterWindow';

export interface SimulationResult {
  visits: number;
  /** Visits whose first page found no number free: shown the overflow number, or ('recycle') took a live lease. */
  blockedVisits: number;
  /** Leases taken from a live holder under 'recycle' (first pages and later ones). */
  displacedLeases: number;
  /** Per hour of the day (0-23), summed over the days simulated. */
  visitsByHour: number[];
  blockedByHour: number[];
  /** Calls by visitors, scored against the visit that really made them. */
  visitCalls: ScoreCounts;
  byWindow: Record<CallWindow, ScoreCounts>;
  /** Second calls (also included in visitCalls), scored against the visit the caller originally saw. */
  repeatCalls: ScoreCounts;
  /** Calls from people who never visited: `unattributed` is right, `wrongVisit` credited a stranger's visit. */
  offlineCalls: ScoreCounts;
  /** How the service's rules credited the calls (every call, offline ones included). */
  methods: Record<string, number>;
  poolOperations: number;
}

interface VisitState {
  plan: VisitPlan;
  /** The live lease's token, or null while the visit shows the overflow number (no heartbeats then). */
  token: number | null;
  shown: string;
  firstDialled?: string;
}

type SimEvent =
  | { kind: 'arrival' }
  | { kind: 'activity'; visit: VisitState; index: number }
  | { kind: 'call'; visit: VisitState; call: PlannedCall }
  | { kind: 'offline-call' }
  | { kind: 'drain' };

/**
 * Plays a site's traffic against a real pool store through a simulated clock, and scores every call as
 * the service would credit it (store.holders + attributeCall) against the truth. The store must be
 * empty; the run adds the pool's numbers itself. Deterministic for a seed, on either store.
 */
export async function simulateSite(store: PoolStore, settings: SimulationSettings): Promise<SimulationResult> {
  validateSettings(settings);
  return new SiteSimulation(store, settings).run();
}

class SiteSimulation {
  private readonly queue = new EventQueue<SimEvent>();
  private readonly pool: PoolSettings;
  private readonly numbers: string[];
  private readonly arrivals: SeededRandom;
  private readonly visitRandom: SeededRandom;
  private readonly offline: SeededRandom;
  private readonly horizon: number;
  private visitCount = 0;
  private readonly result: SimulationResult = {
    visits: 0,
    blockedVisits: 0,
    displacedLeases: 0,
    visitsByHour: new Array<number>(24).fill(0),
    blockedByHour: new Array<number>(24).fill(0),
    visitCalls: emptyCounts(),
    byWindow: { duringVisit: emptyCounts(), withinWindow: emptyCounts(), afterWindow: emptyCounts() },
    repeatCalls: emptyCounts(),
    offlineCalls: emptyCounts(),
    methods: {},
    poolOperations: 0,
  };

  constructor(
    private readonly store: PoolStore,
    private readonly settings: SimulationSettings,
  ) {
    const { policy, seed } = settings;
    this.pool = { poolId: SIMULATION_POOL_ID, leaseMs: policy.leaseMs, cooldownMs: policy.cooldownMs, graceMs: policy.graceMs, exhaustionPolicy: policy.exhaustionPolicy };
    this.numbers = Array.from({ length: settings.poolSize }, (_, i) => `n${String(i).padStart(6, '0')}`);
    this.arrivals = SeededRandom.stream(seed, STREAMS.arrivals);
    this.visitRandom = SeededRandom.stream(seed, STREAMS.visits);
    this.offline = SeededRandom.stream(seed, STREAMS.offline);
    this.horizon = SIMULATION_EPOCH + settings.days * DAY_MS;
  }

  async run(): Promise<SimulationResult> {
    await this.store.addNumbers(this.pool.poolId, this.numbers);
    this.scheduleArrival(SIMULATION_EPOCH);
    this.scheduleOfflineCall(SIMULATION_EPOCH);
    this.queue.schedule(SIMULATION_EPOCH + DRAIN_EVERY_MS, { kind: 'drain' });
    for (let next = this.queue.next(); next; next = this.queue.next()) await this.handle(next.at, next.event);
    await this.drainLeaseEvents();
    return this.result;
  }

  private async handle(at: number, event: SimEvent): Promise<void> {
    switch (event.kind) {
      case 'arrival':
        return this.arrive(at);
      case 'activity':
        return this.act(at, event.visit, event.index);
      case 'call':
        return this.visitorCalls(at, event.visit, event.call);
      case 'offline-call':
        return this.strangerCalls(at);
      case 'drain':
        await this.drainLeaseEvents();
        // Only while something else is pending: the last drain happens after the loop.
        if (this.queue.size > 0) this.queue.schedule(at + DRAIN_EVERY_MS, { kind: 'drain' });
    }
  }

  private scheduleArrival(after: number): void {
    const at = Math.round(nextArrival(this.arrivals, after, this.settings.traffic.peakVisitsPerHour, this.settings.traffic.dailyCurve, SIMULATION_EPOCH));
    if (at < this.horizon) this.queue.schedule(at, { kind: 'arrival' });
  }

  private scheduleOfflineCall(after: number): void {
    const perHour = offlineCallsPerHourAtPeak(this.settings.traffic);
    if (perHour <= 0) return;
    const at = Math.round(nextArrival(this.offline, after, perHour, this.settings.traffic.dailyCurve, SIMULATION_EPOCH));
    if (at < this.horizon) this.queue.schedule(at, { kind: 'offline-call' });
  }

  private async arrive(at: number): Promise<void> {
    this.scheduleArrival(at);
    this.visitCount += 1;
    const plan = planVisit(this.visitRandom, `v${this.visitCount}`, at, this.settings.traffic);
    const visit: VisitState = { plan, token: null, shown: OVERFLOW };
    const hour = Math.floor(((at - SIMULATION_EPOCH) % DAY_MS) / HOUR_MS);
    this.result.visits += 1;
    this.result.visitsByHour[hour] += 1;
    const first = await this.register(visit, at);
    if (first.outcome === 'exhausted' || (first.outcome === 'granted' && first.displacedVisitId !== undefined)) {
      this.result.blockedVisits += 1;
      this.result.blockedByHour[hour] += 1;
    }
    this.scheduleActivity(visit, 1);
    for (const call of plan.calls) this.queue.schedule(call.at, { kind: 'call', visit, call });
  }

  private scheduleActivity(visit: VisitState, index: number): void {
    const activity = visit.plan.activities[index];
    if (activity) this.queue.schedule(activity.at, { kind: 'activity', visit, index });
  }

  private async act(at: number, visit: VisitState, index: number): Promise<void> {
    const { kind } = visit.plan.activities[index];
    if (kind === 'page') await this.register(visit, at);
    else if (visit.token !== null) {
      // The tracking script only heartbeats a lease it holds; a lost one (409) registers again.
      this.result.poolOperations += 1;
      const beat = await this.store.heartbeat(this.pool, visit.plan.visitId, visit.token, at);
      if (beat.outcome === 'lost') await this.register(visit, at);
    }
    this.scheduleActivity(visit, index + 1);
  }

  /** POST /visits: lease (or renew) a number; an exhausted pool shows the overflow number. */
  private async register(visit: VisitState, at: number): Promise<LeaseResult> {
    this.result.poolOperations += 1;
    const result = await this.store.lease(this.pool, visit.plan.visitId, at);
    if (result.outcome === 'exhausted') {
      visit.token = null;
      visit.shown = OVERFLOW;
    } else {
      visit.token = result.lease.token;
      visit.shown = result.lease.numberId;
      if (result.outcome === 'granted' && result.displacedVisitId !== undefined) this.result.displacedLeases += 1;
    }
    return result;
  }

  private async visitorCalls(at: number, visit: VisitState, call: PlannedCall): Promise<void> {
    // A repeat caller redials what they dialled; a first caller dials what the page shows (or last showed).
    const dialled = call.repeat && visit.firstDialled !== undefined ? visit.firstDialled : visit.shown;
    if (!call.repeat) visit.firstDialled = dialled;
    const score = scoreCall(visit.plan.visitId, await this.attribute(dialled, at));
    countScore(this.result.visitCalls, score);
    countScore(this.result.byWindow[this.windowOf(visit.plan, at)], score);
    if (call.repeat) countScore(this.result.repeatCalls, score);
  }

  private async strangerCalls(at: number): Promise<void> {
    this.scheduleOfflineCall(at);
    const dialled = this.numbers[this.offline.int(this.numbers.length)];
    countScore(this.result.offlineCalls, scoreCall(null, await this.attribute(dialled, at)));
  }

  /** The service's own rules: the overflow number has no pool ('static'); a pool number's holders decide. */
  private async attribute(dialled: string, at: number): Promise<Attribution> {
    let attribution: Attribution;
    if (dialled === OVERFLOW) attribution = attributeCall(null);
    else {
      this.result.poolOperations += 1;
      attribution = attributeCall(await this.store.holders(this.pool, dialled, at));
    }
    this.result.methods[attribution.method] = (this.result.methods[attribution.method] ?? 0) + 1;
    return attribution;
  }

  private windowOf(plan: VisitPlan, at: number): CallWindow {
    if (at <= plan.leavesAt) return 'duringVisit';
    const lastActivity = plan.activities[plan.activities.length - 1].at;
    return at <= lastActivity + this.pool.leaseMs + this.pool.graceMs ? 'withinWindow' : 'afterWindow';
  }

  private async drainLeaseEvents(): Promise<void> {
    for (;;) {
      const { ids } = await this.store.readEvents(this.pool.poolId, DRAIN_BATCH);
      if (ids.length === 0) return;
      await this.store.ackEvents(this.pool.poolId, ids);
    }
  }
}
