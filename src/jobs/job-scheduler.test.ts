import { describeWithRedis } from '../../test/support/conditional';
import { connectTestRedis, deleteKeysWithPrefix, uniquePrefix } from '../../test/support/redis';
import { JobScheduler, type JobDefinition } from './job-scheduler';
import { RedisRunCoordinator } from './redis-run-coordinator';

const job = (run: () => Promise<unknown>, over: Partial<JobDefinition> = {}): JobDefinition => ({ name: 'test-job', schedule: '* * * * * *', singleInstance: false, run, ...over });
const until = async (check: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('JobScheduler', () => {
  it('when a job fails, then running it resolves anyway and the schedule keeps going', async () => {
    const scheduler = new JobScheduler();
    let runs = 0;
    const failing = job(async () => {
      runs += 1;
      throw new Error('database down');
    });

    await expect(scheduler.runNow(failing)).resolves.toBeUndefined();
    scheduler.start([failing]);
    await until(() => runs >= 2);
    await scheduler.stop();

    expect(runs).toBeGreaterThanOrEqual(2);
  });

  it('when a run takes longer than the interval, then the next tick is skipped rather than run alongside it', async () => {
    const scheduler = new JobScheduler();
    let running = 0;
    let most = 0;
    let runs = 0;
    scheduler.start([
      job(async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 1300));
        running -= 1;
        runs += 1;
      }),
    ]);

    await until(() => runs >= 2, 8000);
    await scheduler.stop();

    expect(most).toBe(1);
  });

  it('when stopped during a run, then stop waits for the run to finish', async () => {
    const scheduler = new JobScheduler();
    let finished = false;
    void scheduler.runNow(
      job(async () => {
        await new Promise((r) => setTimeout(r, 200));
        finished = true;
      }),
    );

    await scheduler.stop();

    expect(finished).toBe(true);
  });
});

describeWithRedis('RedisRunCoordinator', () => {
  it('when two instances ask to run the same tick, then exactly one is elected, and the next tick is open again', async () => {
    const redis = connectTestRedis();
    const prefix = uniquePrefix('jobs');
    try {
      const a = new RedisRunCoordinator(redis, prefix);
      const b = new RedisRunCoordinator(redis, prefix);

      const first = await Promise.all([a.shouldRun('reattribution:2026-11-30T10:00:15.000Z', 30_000), b.shouldRun('reattribution:2026-11-30T10:00:15.000Z', 30_000)]);
      const next = await b.shouldRun('reattribution:2026-11-30T10:01:15.000Z', 30_000);

      expect(first.filter(Boolean)).toHaveLength(1);
      expect(next).toBe(true);
    } finally {
      await deleteKeysWithPrefix(redis, prefix);
      redis.disconnect();
    }
  });
});
