import type Redis from 'ioredis';
import { describeWithRedis } from '../../../test/support/conditional';
import { connectTestRedis, deleteKeysWithPrefix, uniquePrefix } from '../../../test/support/redis';
import { runJobLockContract } from '../job-lock.contract';
import { JOB_LOCK_SCRIPTS, readJobLockScripts } from './job-lock-scripts';
import { jobLockKeys, RedisJobLock } from './redis-job-lock';

describe('job lock scripts', () => {
  describe.each(readJobLockScripts())('$name-$numberOfKeys.lua', (script) => {
    it('then its header documents every key, the body uses no other, and its codes come from job-lock-scripts.ts', () => {
      const header = script.lua.slice(0, script.lua.indexOf(']]'));
      for (let i = 1; i <= script.numberOfKeys; i += 1) expect(header).toContain(`KEYS[${i}]`);
      const used = [...script.lua.matchAll(/KEYS\[(\d+)\]/g)].map((m) => Number(m[1]));
      expect(Math.max(...used)).toBe(script.numberOfKeys);
      expect(script.lua).not.toMatch(/@include/);
      expect(script.commandName).toMatch(/^ct[A-Z]\w*V\d+$/);
    });
  });

  it("when a job's keys are named, then they share one hash tag (one Redis Cluster slot)", () => {
    const keys = jobLockKeys('ct:', 'retention', new Date('2026-11-30T03:17:00Z'));
    const tags = Object.values(keys).map((k) => /\{([^}]*)\}/.exec(k)?.[1]);

    expect(new Set(tags)).toEqual(new Set(['job:retention']));
  });
});

describeWithRedis('RedisJobLock', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = connectTestRedis();
  });
  afterAll(async () => {
    await redis.quit();
  });

  runJobLockContract('RedisJobLock', async () => {
    const prefix = uniquePrefix('job-lock');
    return {
      lock: new RedisJobLock(redis, prefix),
      // Redis expires leases by its own clock: wait it out.
      elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      cleanup: () => deleteKeysWithPrefix(redis, prefix),
    };
  });

  it('when the lock is used, then it writes the lock, the fencing counter and the tick claim under the prefix, and the scripts are registered under versioned names', async () => {
    const prefix = uniquePrefix('job-lock');
    try {
      const lock = new RedisJobLock(redis, prefix);
      const outcome = await lock.acquire('retention', 1000, { slot: new Date('2026-11-30T03:17:00Z'), ttlMs: 60_000 });

      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        keys.push(...found);
      } while (cursor !== '0');

      expect(outcome.outcome).toBe('acquired');
      expect(keys.sort()).toEqual([`${prefix}{job:retention}:fence`, `${prefix}{job:retention}:lock`, `${prefix}{job:retention}:tick:2026-11-30T03:17:00.000Z`]);
      for (const name of JOB_LOCK_SCRIPTS) expect(typeof (redis as unknown as Record<string, unknown>)[`ct${name[0].toUpperCase()}${name.slice(1)}V1`]).toBe('function');
    } finally {
      await deleteKeysWithPrefix(redis, prefix);
    }
  });
});
