import { MemoryPoolStore } from '../pool/memory-pool-store';
import { SeededRandom } from './seeded-random';
import { STREAMS } from './simulate-site';
import type { PoolPolicy, SimulationSettings } from './simulation-settings';

/**
 * The pool policies the simulator compares, each derived from the configured one ('default': longest
 * idle number, the configured cool-down, the overflow number when exhausted).
 */
export const POLICY_VARIANTS = {
  default: { label: 'default', derive: (p: PoolPolicy): PoolPolicy => p },
  'no-cooldown': { label: 'no cool-down', derive: (p: PoolPolicy): PoolPolicy => ({ ...p, cooldownMs: 0 }) },
  'random-choice': { label: 'random free number', derive: (p: PoolPolicy): PoolPolicy => ({ ...p, choice: 'random' }) },
  recycle: { label: 'recycle when exhausted', derive: (p: PoolPolicy): PoolPolicy => ({ ...p, exhaustionPolicy: 'recycle' }) },
  'random-no-cooldown': { label: 'random, no cool-down', derive: (p: PoolPolicy): PoolPolicy => ({ ...p, choice: 'random', cooldownMs: 0 }) },
} as const;

export type PolicyVariant = keyof typeof POLICY_VARIANTS;
export const VARIANT_NAMES = Object.keys(POLICY_VARIANTS) as PolicyVariant[];

export function isPolicyVariant(name: string): name is PolicyVariant {
  return Object.prototype.hasOwnProperty.call(POLICY_VARIANTS, name);
}

/**
 * A fresh in-process store for one run. Random choice draws from its own seeded stream, so it is
 * reproducible and leaves the traffic streams untouched.
 */
export function memoryStoreFor(settings: SimulationSettings): MemoryPoolStore {
  if (settings.policy.choice === 'longest-idle') return new MemoryPoolStore();
  const rng = SeededRandom.stream(settings.seed, STREAMS.poolChoice);
  return new MemoryPoolStore({ chooseFree: (available) => available[rng.int(available.length)] });
}
