/**
 * fast-check parameters for property tests: a fixed seed and run count by default, so CI is
 * reproducible, overridable for longer local hunts:
 *
 *   PROPERTY_RUNS=5000 PROPERTY_SEED=$RANDOM npm test -- src/pool/pool-store.property
 *
 * A failure prints the seed (and the shrunk counterexample); run again with that PROPERTY_SEED and
 * the same PROPERTY_RUNS to reproduce it.
 */
export function propertyParameters(defaults: { numRuns: number; seed: number }): { numRuns: number; seed: number } {
  return {
    numRuns: integerFromEnv('PROPERTY_RUNS', 1) ?? defaults.numRuns,
    seed: integerFromEnv('PROPERTY_SEED', -(2 ** 31)) ?? defaults.seed,
  };
}

/** An integer setting from the environment (a longer hunt, a seed to replay); unset = undefined. */
export function integerFromEnv(name: string, min: number): number | undefined {
  const raw = process.env[name]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) throw new Error(`${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return value;
}
