import { MemoryPoolStore } from '../pool/memory-pool-store';
import { totalOf } from './scoring';
import { SIMULATION_POOL_ID, simulateSite } from './simulate-site';
import { DEFAULT_POLICY, DEFAULT_TRAFFIC, type SimulationSettings, type TrafficSettings } from './simulation-settings';

const FLAT = new Array<number>(24).fill(1);

function settings(traffic: Partial<TrafficSettings>, rest: Partial<SimulationSettings> = {}): SimulationSettings {
  return { seed: 1, days: 0.25, poolSize: 200, traffic: { ...DEFAULT_TRAFFIC, peakVisitsPerHour: 60, dailyCurve: FLAT, ...traffic }, policy: DEFAULT_POLICY, ...rest };
}

describe('simulateSite', () => {
  it('when every visitor calls during the visit and the pool is ample, then every call is credited to its visit by the live lease', async () => {
    const s = settings({ callShare: 1, repeatShare: 0, offlineShare: 0, callTiming: { duringVisit: 1, soonAfter: 0, later: 0 } });
    const result = await simulateSite(new MemoryPoolStore(), s);
    expect(result.visits).toBeGreaterThan(50);
    expect(result.visitCalls).toEqual({ correct: result.visits, wrongVisit: 0, unattributed: 0 });
    expect(result.methods).toEqual({ lease: result.visits });
    expect(result.blockedVisits).toBe(0);
  });

  it('when callers call between lease end and lease + grace, then the grace window credits them', async () => {
    // Sessions of exactly 2 minutes with one page: the last heartbeat is at 1 minute, the lease ends 30 minutes later.
    const s = settings({
      session: { medianMinutes: 2, sigma: 0, maxMinutes: 2 },
      meanSecondsPerPage: 1e9,
      callShare: 1,
      repeatShare: 0,
      offlineShare: 0,
      callTiming: { duringVisit: 0, soonAfter: 1, later: 0 },
      soonAfterDelay: { medianMinutes: 35, sigma: 0.05, minMinutes: 31, maxMinutes: 43 },
    });
    const result = await simulateSite(new MemoryPoolStore(), s);
    expect(result.byWindow.withinWindow.correct).toBe(result.visits);
    expect(result.methods.grace).toBe(result.visits);
  });

  it('when the pool is far too small, then blocked visits show the overflow number and their calls are unattributed', async () => {
    const s = settings({ callShare: 1, repeatShare: 0, offlineShare: 0, callTiming: { duringVisit: 1, soonAfter: 0, later: 0 }, meanSecondsPerPage: 1e9 }, { poolSize: 3 });
    const result = await simulateSite(new MemoryPoolStore(), s);
    expect(result.blockedVisits).toBeGreaterThan(result.visits / 2);
    expect(result.methods.static).toBeGreaterThan(0);
    expect(result.visitCalls.unattributed).toBe(result.methods.static);
    expect(result.visitCalls.wrongVisit).toBe(0);
  });

  it("when the pool is far too small under 'recycle', then live leases are taken and some callers are credited to the taker", async () => {
    const s = settings({ callShare: 1, repeatShare: 0, offlineShare: 0 }, { poolSize: 3, policy: { ...DEFAULT_POLICY, exhaustionPolicy: 'recycle' } });
    const result = await simulateSite(new MemoryPoolStore(), s);
    expect(result.displacedLeases).toBeGreaterThan(0);
    expect(result.blockedVisits).toBeGreaterThan(0);
    expect(result.methods.static).toBeUndefined();
    expect(result.visitCalls.wrongVisit).toBeGreaterThan(0);
  });

  it('when the run is over, then every call is counted once and the lease history has been drained', async () => {
    const store = new MemoryPoolStore();
    const result = await simulateSite(store, settings({ callShare: 0.5, offlineShare: 0.2 }, { days: 0.5, poolSize: 30 }));
    const byWindow = Object.values(result.byWindow).reduce((sum, c) => sum + totalOf(c), 0);
    expect(byWindow).toBe(totalOf(result.visitCalls));
    expect(totalOf(result.offlineCalls)).toBeGreaterThan(0);
    const allCalls = totalOf(result.visitCalls) + totalOf(result.offlineCalls);
    expect(Object.values(result.methods).reduce((a, b) => a + b, 0)).toBe(allCalls);
    expect(result.visitsByHour.reduce((a, b) => a + b, 0)).toBe(result.visits);
    expect((await store.readEvents(SIMULATION_POOL_ID, 10)).ids).toEqual([]);
  });

  it('when visits arrive for a quarter of a day at 60 an hour, then about 360 arrive', async () => {
    const result = await simulateSite(new MemoryPoolStore(), settings({ callShare: 0 }));
    expect(Math.abs(result.visits - 0.25 * 24 * 60)).toBeLessThan(4 * Math.sqrt(360));
  });

  it('when the settings are meaningless, then the run is refused before it starts', async () => {
    await expect(simulateSite(new MemoryPoolStore(), settings({ callShare: 2 }))).rejects.toThrow(/callShare/);
    await expect(simulateSite(new MemoryPoolStore(), settings({}, { poolSize: 0 }))).rejects.toThrow(/poolSize/);
  });
});
