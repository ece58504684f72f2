import { erlangB } from '../pool/domain/erlang-b';
import { memoryStoreFor, POLICY_VARIANTS, type PolicyVariant } from './policy-variants';
import { poolSizing, TARGET_BLOCKING } from './pool-sizing';
import { simulateSite, type SimulationResult } from './simulate-site';
import type { PoolPolicy, SimulationSettings, TrafficSettings } from './simulation-settings';

/** Pool sizes tried by default, as multiples of the size the Erlang B advisor recommends. */
export const DEFAULT_SIZE_FACTORS = [0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 1, 1.1, 1.2];

export interface SweepConfig {
  seed: number;
  days: number;
  traffic: TrafficSettings;
  /** The configured policy; each variant is derived from it. */
  policy: PoolPolicy;
  variants: readonly PolicyVariant[];
  /** Explicit sizes; unset = DEFAULT_SIZE_FACTORS x the recommended size. */
  poolSizes?: readonly number[];
}

export interface SweepRow {
  variant: PolicyVariant;
  poolSize: number;
  /** Erlang B's blocking for this size at the variant's peak offered traffic. */
  erlangBAtPeak: number;
  result: SimulationResult;
}

export interface SweepReport {
  /** The advisor's view of the configured policy: the size marked on the chart. */
  recommended: number;
  erlangs: number;
  holdingMs: number;
  targetBlocking: number;
  rows: SweepRow[];
}

export function sizesAround(recommended: number, factors: readonly number[] = DEFAULT_SIZE_FACTORS): number[] {
  return [...new Set(factors.map((f) => Math.max(1, Math.round(recommended * f))))].sort((a, b) => a - b);
}

/**
 * Every variant at every pool size, on the in-process store, one run after another (each run is a
 * fresh store and the same seed, so every policy and size faces exactly the same visits and calls).
 */
export async function runSweep(config: SweepConfig, onRow: (row: SweepRow) => void = () => undefined): Promise<SweepReport> {
  const sizing = poolSizing(config.traffic, config.policy);
  const sizes = config.poolSizes ?? sizesAround(sizing.recommended);
  const rows: SweepRow[] = [];
  for (const variant of config.variants) {
    const policy = POLICY_VARIANTS[variant].derive(config.policy);
    const { erlangs } = poolSizing(config.traffic, policy);
    for (const poolSize of sizes) {
      const settings: SimulationSettings = { seed: config.seed, days: config.days, poolSize, traffic: config.traffic, policy };
      const row = { variant, poolSize, erlangBAtPeak: erlangB(poolSize, erlangs), result: await simulateSite(memoryStoreFor(settings), settings) };
      rows.push(row);
      onRow(row);
    }
  }
  return { recommended: sizing.recommended, erlangs: sizing.erlangs, holdingMs: sizing.holdingMs, targetBlocking: TARGET_BLOCKING, rows };
}
