import { meanNumberHoldingMs, offeredTrafficErlangs, recommendedPoolSize } from '../pool/domain/erlang-b';
import type { PoolPolicy, TrafficSettings } from './simulation-settings';
import { meanSessionMs } from './traffic-model';

/** The grade of service the advisor sizes for: 1 visit in 100 at the peak hour sees the overflow number. */
export const TARGET_BLOCKING = 0.01;

/**
 * Erlang B's view of the simulated site at its peak rate. The visit's share of the holding time is its
 * mean length (the last heartbeat comes up to one interval earlier, so this errs towards a larger pool).
 */
export function poolSizing(traffic: TrafficSettings, policy: PoolPolicy, targetBlocking = TARGET_BLOCKING): { holdingMs: number; erlangs: number; recommended: number } {
  const holdingMs = meanNumberHoldingMs({ meanVisitMs: meanSessionMs(traffic.session), leaseMs: policy.leaseMs, cooldownMs: policy.cooldownMs });
  const erlangs = offeredTrafficErlangs(traffic.peakVisitsPerHour, holdingMs);
  return { holdingMs, erlangs, recommended: recommendedPoolSize(erlangs, targetBlocking) };
}
