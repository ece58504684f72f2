import { integerFromEnv } from '../support/property-runs';
/**
 * How hard the endpoint fuzzer pushes: a fixed seed and run count in CI, so a run is reproducible;
 * FUZZ_RUNS (requests per route on the embedded backends; the real backends get a quarter) and
 * FUZZ_SEED for longer hunts locally. A failure prints its seed; rerun with that FUZZ_SEED and the
 * same FUZZ_RUNS to see it again.
 */
export interface FuzzParameters {
  seed: number;
  /** Requests per route on the embedded backends. */
  embeddedRuns: number;
  /** Requests per route on the real Postgres and Redis (slower per request). */
  realRuns: number;
}

export function fuzzParameters(defaults: { seed: number; embeddedRuns: number; realRuns: number }): FuzzParameters {
  const runs = integerFromEnv('FUZZ_RUNS', 1);
  return {
    seed: integerFromEnv('FUZZ_SEED', -(2 ** 31)) ?? defaults.seed,
    embeddedRuns: runs ?? defaults.embeddedRuns,
    realRuns: runs === undefined ? defaults.realRuns : Math.max(1, Math.ceil(runs / 4)),
  };
}
