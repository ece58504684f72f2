import { hasPostgres, hasRedis } from './test-env';

/** describe() when the machine's Postgres answers; otherwise the suite is skipped and reported. */
export const describeWithPostgres = (name: string, fn: () => void): void =>
  (hasPostgres() ? describe : describe.skip)(`${name}${hasPostgres() ? '' : ' [SKIPPED: no Postgres]'}`, fn);

export const describeWithRedis = (name: string, fn: () => void): void =>
  (hasRedis() ? describe : describe.skip)(`${name}${hasRedis() ? '' : ' [SKIPPED: no Redis]'}`, fn);

export const describeWithServices = (name: string, fn: () => void): void =>
  (hasRedis() && hasPostgres() ? describe : describe.skip)(`${name}${hasRedis() && hasPostgres() ? '' : ' [SKIPPED: needs Redis and Postgres]'}`, fn);
