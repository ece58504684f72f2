import { memoryStoreFor } from './policy-variants';
import { poolSizing } from './pool-sizing';
import { simulateSite, type SimulationResult } from './simulate-site';
import type { PoolPolicy, SimulationSettings, TrafficSettings } from './simulation-settings';

const MINUTE_MS = 60_000;

export interface LeaseRow {
  leaseMinutes: number;
  /** The advisor's size for this lease length (the holding time grows with the lease). */
  poolSize: number;
  result: SimulationResult;
}

/**
 * How accuracy and pool size move with the lease length, each lease at the size the advisor
 * recommends for it, the rest of the policy unchanged.
 */
export async function runLeaseSweep(
  config: { seed: number; days: number; traffic: TrafficSettings; policy: PoolPolicy; leaseMinutes: readonly number[] },
  onRow: (row: LeaseRow) => void = () => undefined,
): Promise<LeaseRow[]> {
  const rows: LeaseRow[] = [];
  for (const leaseMinutes of config.leaseMinutes) {
    const policy = { ...config.policy, leaseMs: leaseMinutes * MINUTE_MS };
    const poolSize = poolSizing(config.traffic, policy).recommended;
    const settings: SimulationSettings = { seed: config.seed, days: config.days, poolSize, traffic: config.traffic, policy };
    const row = { leaseMinutes, poolSize, result: await simulateSite(memoryStoreFor(settings), settings) };
    rows.push(row);
    onRow(row);
  }
  return rows;
}
