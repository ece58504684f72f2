import { erlangB } from '../pool/domain/erlang-b';
import { memoryStoreFor, POLICY_VARIANTS, type PolicyVariant } from './policy-variants';
import { poolSizing } from './pool-sizing';
import { sharesOf } from './scoring';
import { simulateSite, type SimulationResult } from './simulate-site';
import { DEFAULT_POLICY, DEFAULT_TRAFFIC, type SimulationSettings, type TrafficSettings } from './simulation-settings';

/**
 * The claims docs/attribution.md makes, on a small site that runs in about a second. Callers call during
 * the visit or up to 40 minutes after leaving (many of them after the lease has ended, inside the grace
 * window, where the pool policy matters), and a tenth call again within minutes. A high call share
 * gives the scores enough calls to be stable; calls do not load the pool, so it changes nothing else.
 * The assertions held for each of 40 seeds tried; the test fixes one.
 */
const SEED = 1;
const LATE_CALLERS: TrafficSettings = {
  ...DEFAULT_TRAFFIC,
  peakVisitsPerHour: 300,
  callShare: 0.3,
  callTiming: { duringVisit: 0.5, soonAfter: 0.5, later: 0 },
  soonAfterDelay: { medianMinutes: 20, sigma: 0.6, minMinutes: 0.5, maxMinutes: 40 },
  repeatShare: 0.1,
  repeatDelay: { medianMinutes: 2, sigma: 0.5, minMinutes: 0.5, maxMinutes: 4 },
};
const ADVISED = poolSizing(LATE_CALLERS, DEFAULT_POLICY).recommended;

function run(variant: PolicyVariant, options: { seed?: number; poolSize?: number } = {}): Promise<SimulationResult> {
  const settings: SimulationSettings = { seed: options.seed ?? SEED, days: 1, poolSize: options.poolSize ?? ADVISED, traffic: LATE_CALLERS, policy: POLICY_VARIANTS[variant].derive(DEFAULT_POLICY) };
  return simulateSite(memoryStoreFor(settings), settings);
}

const correctShare = (r: SimulationResult) => sharesOf(r.visitCalls).correct;

describe('attribution accuracy (simulated)', () => {
  let defaultPolicy: SimulationResult;
  beforeAll(async () => {
    defaultPolicy = await run('default');
  });

  it('when the same seed runs twice, then every count is identical; another seed differs', async () => {
    expect(await run('default')).toEqual(defaultPolicy);
    expect(await run('default', { seed: SEED + 1 })).not.toEqual(defaultPolicy);
  });

  it('when the pool has the size the Erlang B advisor recommends, then the default policy credits at least 98 % of calls to the right visit', () => {
    expect(defaultPolicy.visits).toBeGreaterThan(3000);
    expect(defaultPolicy.visitCalls.correct).toBeGreaterThan(1000);
    expect(correctShare(defaultPolicy)).toBeGreaterThanOrEqual(0.98);
    // With cool-down >= grace, nobody else can hold a number while its last holder's callers are still credited.
    expect(defaultPolicy.visitCalls.wrongVisit).toBe(0);
  });

  it('when numbers are handed out at random with no cool-down (same pool), then fewer calls reach the right visit', async () => {
    const random = await run('random-no-cooldown');
    expect(correctShare(defaultPolicy)).toBeGreaterThan(correctShare(random));
    expect(random.visitCalls.wrongVisit).toBeGreaterThan(0);
  });

  it('when numbers are handed out at random but rest for the cool-down (same pool), then exactly the same calls are credited correctly', async () => {
    // The choice of number cannot matter inside lease + grace when cool-down >= grace: see docs/attribution.md.
    const random = await run('random-choice');
    expect(random.visitCalls.correct).toBe(defaultPolicy.visitCalls.correct);
    expect(random.blockedVisits).toBe(defaultPolicy.blockedVisits);
  });

  it('when the cool-down is dropped and the pool sized by the advisor for that (fewer numbers), then fewer calls reach the right visit', async () => {
    const noCooldown = POLICY_VARIANTS['no-cooldown'].derive(DEFAULT_POLICY);
    const smaller = poolSizing(LATE_CALLERS, noCooldown).recommended;
    expect(smaller).toBeLessThan(ADVISED);
    const result = await run('no-cooldown', { poolSize: smaller });
    expect(correctShare(defaultPolicy)).toBeGreaterThan(correctShare(result));
    expect(result.visitCalls.wrongVisit).toBeGreaterThan(0);
  });

  it('when traffic is steady and a blocked visitor does not ask again, then the measured blocking is what Erlang B predicts', async () => {
    // Erlang B's own assumptions: a constant Poisson rate and blocked arrivals lost (one page per visit).
    const steady: TrafficSettings = { ...DEFAULT_TRAFFIC, peakVisitsPerHour: 300, dailyCurve: new Array<number>(24).fill(1), meanSecondsPerPage: 1e9, callShare: 0 };
    const { erlangs, recommended } = poolSizing(steady, DEFAULT_POLICY);
    for (const poolSize of [Math.round(recommended * 0.9), recommended]) {
      const settings: SimulationSettings = { seed: SEED, days: 2, poolSize, traffic: steady, policy: DEFAULT_POLICY };
      const result = await simulateSite(memoryStoreFor(settings), settings);
      const predicted = erlangB(poolSize, erlangs);
      const measured = result.blockedVisits / result.visits;
      expect(measured).toBeGreaterThan(predicted * 0.5);
      expect(measured).toBeLessThan(predicted * 1.5);
    }
  });
});
