import { DEFAULT_DAILY_CURVE, dailyVolumeFactor } from './daily-curve';
import { SeededRandom } from './seeded-random';
import { DEFAULT_TRAFFIC, type TrafficSettings } from './simulation-settings';
import { drawDelayMs, meanSessionMs, nextArrival, normalCdf, offlineCallsPerHourAtPeak, planVisit, type VisitPlan } from './traffic-model';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const T0 = Date.UTC(2025, 0, 6);

function plans(n: number, traffic: TrafficSettings = DEFAULT_TRAFFIC, seed = 3): VisitPlan[] {
  const rng = SeededRandom.stream(seed, 1);
  return Array.from({ length: n }, (_, i) => planVisit(rng, `v${i}`, T0 + i * 1000, traffic));
}

describe('nextArrival', () => {
  it('when arrivals follow the daily curve for a week, then their number and their shape match it', () => {
    const rng = SeededRandom.stream(5, 0);
    const byHour = new Array<number>(24).fill(0);
    let count = 0;
    for (let t = nextArrival(rng, T0, 500, DEFAULT_DAILY_CURVE, T0); t < T0 + 7 * 24 * HOUR_MS; t = nextArrival(rng, t, 500, DEFAULT_DAILY_CURVE, T0)) {
      count += 1;
      byHour[Math.floor(((t - T0) % (24 * HOUR_MS)) / HOUR_MS)] += 1;
    }
    const expected = 7 * 500 * dailyVolumeFactor(DEFAULT_DAILY_CURVE);
    expect(Math.abs(count - expected)).toBeLessThan(4 * Math.sqrt(expected));
    expect(byHour[11]).toBeGreaterThan(byHour[8]);
    expect(byHour[8]).toBeGreaterThan(5 * byHour[3]);
  });
});

describe('planVisit', () => {
  it('when a visit is planned, then it starts with a page load and talks to the pool in order until it leaves', () => {
    for (const plan of plans(500)) {
      expect(plan.activities[0]).toEqual({ at: plan.arrivesAt, kind: 'page' });
      for (let i = 1; i < plan.activities.length; i++) expect(plan.activities[i].at).toBeGreaterThanOrEqual(plan.activities[i - 1].at);
      expect(plan.activities[plan.activities.length - 1].at).toBeLessThanOrEqual(plan.leavesAt);
      expect(plan.leavesAt - plan.arrivesAt).toBeLessThanOrEqual(DEFAULT_TRAFFIC.session.maxMinutes * MINUTE_MS);
    }
  });

  it('when a page stays open, then it heartbeats every heartbeatSeconds, restarting at each page load', () => {
    const long = plans(300).filter((p) => p.activities.length > 3);
    expect(long.length).toBeGreaterThan(20);
    for (const plan of long) {
      plan.activities.forEach((a, i) => {
        if (a.kind === 'heartbeat') expect(a.at - plan.activities[i - 1].at).toBe(DEFAULT_TRAFFIC.heartbeatSeconds * 1000);
      });
    }
  });

  it('when sessions are drawn, then their median is the configured one and the tail is long', () => {
    const lengths = plans(4000).map((p) => (p.leavesAt - p.arrivesAt) / MINUTE_MS).sort((a, b) => a - b);
    expect(lengths[2000]).toBeGreaterThan(2.7);
    expect(lengths[2000]).toBeLessThan(3.3);
    expect(lengths[3960]).toBeGreaterThan(30);
  });

  it('when calls are planned, then about callShare of visits call, with the configured timing and repeats', () => {
    const all = plans(20_000);
    const callers = all.filter((p) => p.calls.length > 0);
    expect(callers.length / all.length).toBeCloseTo(DEFAULT_TRAFFIC.callShare, 2);
    const first = callers.map((p) => ({ plan: p, call: p.calls[0] }));
    const during = first.filter(({ call }) => call.timing === 'during-visit');
    expect(during.length / first.length).toBeGreaterThan(0.5);
    expect(during.length / first.length).toBeLessThan(0.7);
    for (const { plan, call } of first) {
      if (call.timing === 'during-visit') expect(call.at).toBeLessThanOrEqual(plan.leavesAt);
      else expect(call.at).toBeGreaterThan(plan.leavesAt);
      if (call.timing === 'later') expect(call.at - plan.leavesAt).toBeGreaterThanOrEqual(DEFAULT_TRAFFIC.laterDelay.minMinutes * MINUTE_MS - 1);
    }
    const repeats = callers.filter((p) => p.calls.length === 2);
    expect(repeats.length / callers.length).toBeGreaterThan(0.05);
    expect(repeats.length / callers.length).toBeLessThan(0.15);
    for (const p of repeats) expect(p.calls[1]).toMatchObject({ repeat: true, timing: p.calls[0].timing });
  });

  it('when the same stream plans the same visits, then the plans are identical', () => {
    expect(plans(200, DEFAULT_TRAFFIC, 9)).toEqual(plans(200, DEFAULT_TRAFFIC, 9));
    expect(plans(200, DEFAULT_TRAFFIC, 9)).not.toEqual(plans(200, DEFAULT_TRAFFIC, 10));
  });
});

describe('drawDelayMs', () => {
  it('when a delay is drawn, then it stays within its bounds', () => {
    const rng = SeededRandom.stream(1, 0);
    const d = { medianMinutes: 10, sigma: 2, minMinutes: 5, maxMinutes: 20 };
    for (let i = 0; i < 1000; i++) {
      const ms = drawDelayMs(rng, d);
      expect(ms).toBeGreaterThanOrEqual(5 * MINUTE_MS);
      expect(ms).toBeLessThanOrEqual(20 * MINUTE_MS);
    }
  });

  it('when the bounds are almost never reached, then it says so rather than loop forever', () => {
    expect(() => drawDelayMs(SeededRandom.stream(1, 0), { medianMinutes: 1, sigma: 0.01, minMinutes: 100, maxMinutes: 200 })).toThrow(RangeError);
  });
});

describe('meanSessionMs', () => {
  it('when compared with sampled sessions, then the closed form agrees', () => {
    const rng = SeededRandom.stream(2, 0);
    const { medianMinutes, sigma, maxMinutes } = DEFAULT_TRAFFIC.session;
    let sum = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) sum += Math.min(rng.lognormal(medianMinutes, sigma), maxMinutes);
    expect(meanSessionMs(DEFAULT_TRAFFIC.session) / MINUTE_MS).toBeCloseTo(sum / n, 1);
  });

  it('when there is no spread, then the mean is the median', () => {
    expect(meanSessionMs({ medianMinutes: 4, sigma: 0, maxMinutes: 10 })).toBe(4 * MINUTE_MS);
  });

  it('normalCdf matches known values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
  });
});

describe('offlineCallsPerHourAtPeak', () => {
  it('when 3 % of calls come from strangers, then their rate is 3 % of all calls', () => {
    const stranger = offlineCallsPerHourAtPeak(DEFAULT_TRAFFIC);
    const visitors = DEFAULT_TRAFFIC.peakVisitsPerHour * DEFAULT_TRAFFIC.callShare * (1 + DEFAULT_TRAFFIC.repeatShare);
    expect(stranger / (stranger + visitors)).toBeCloseTo(0.03, 10);
  });
});
