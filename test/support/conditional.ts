import { hasPostgres, hasRedis } from './test-env';

/** describe() when the machine's Postgres answers; otherwise the suite is skipped and reported. */
export const describeWithPostgres = (name: string, fn: () => void): void =>
  (hasPostgres() ? describe : describe.skip)(`${name}${hasPostgres() ? '' : ' [SKIPPED: no Postgres]'}`, fn);

export const describeWithRedis = (name: string, fn: () => void): void =>
  (hasRedis() ? describe : describe.skip)(`${name}${hasRedis() ? '' : ' [SKIPPED: no Redis]'}`, fn);

export const describeWithServices = (name: string, fn: () => void): void =>
  (hasRedis() && hasPostgres() ? describe : describe.skip)(`${name}${hasRedis() && hasPostgres() ? '' : ' [SKIPPED: needs Redis and Postgres]'}`, fn);

/**
 * describe() when `requirement.met`; otherwise the suite is skipped with the reason in its name, except
 * under REQUIRE_SERVICES=1 (CI), where a missing requirement fails the run instead of hiding behind a skip.
 */
export function describeIf(requirement: { met: boolean; missing: string }, name: string, fn: () => void): void {
  if (requirement.met) return describe(name, fn);
  if (process.env.REQUIRE_SERVICES === '1') {
    return describe(name, () => {
      it('has what it needs to run', () => {
        throw new Error(`REQUIRE_SERVICES=1 but ${requirement.missing}`);
      });
    });
  }
  describe.skip(`${name} [SKIPPED: ${requirement.missing}]`, fn);
}
