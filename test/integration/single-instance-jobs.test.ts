import type Redis from 'ioredis';
import { describeWithServices } from '../support/conditional';
import { createPostgresTestDatabase, type TestDatabase } from '../support/databases';
import { TEST_PERSONAL_DATA_ENV } from '../support/personal-data';
import { connectTestRedis, deleteKeysWithPrefix, uniquePrefix } from '../support/redis';
import { startServiceProcess, type ServiceProcess } from '../support/service-process';
import { TEST_REDIS_URL } from '../support/test-env';

/**
 * Three OS processes of the service share one Postgres database and one Redis key prefix, as three
 * instances behind a load balancer do, with every single-instance job (and one every-instance job)
 * scheduled every two seconds. Each single-instance run is recorded in job_runs (job, tick, instance,
 * fencing token, start and end), so after ~10 s the table must show each tick run by exactly one
 * instance, no two runs of a job overlapping in time, and fencing tokens rising with every run.
 */

const ADMIN_KEY = 'ctk_admin_single_instance_jobs_0123456789';
const PROCESSES = 3;
const TICK_MS = 2000;
const OBSERVE_MS = 10_000;
const SINGLE_INSTANCE_JOBS = ['reattribution', 'quarantine-release', 'retention', 'partition-maintenance', 'job-runs-trim', 'deliveries-trim', 'pool-health-sample', 'call-source-snapshot'];
const EVERY_INSTANCE_JOB = 'route-table-refresh';

interface RunRow {
  job: string;
  tick: Date | null;
  instance: string;
  fencing_token: number;
  started_at: Date;
  finished_at: Date | null;
  outcome: string | null;
  lock_lost: boolean;
}

describeWithServices('when 3 service processes schedule the same jobs against one Redis and one Postgres', () => {
  let database: TestDatabase & { url: string };
  let redis: Redis;
  const prefix = uniquePrefix('single-instance-jobs');
  const processes: ServiceProcess[] = [];
  let exitCodes: (number | null)[];
  let runs: RunRow[];
  /** The ticks every process was up for, with time to finish before the processes were stopped. */
  let window: { from: number; to: number };

  beforeAll(async () => {
    database = await createPostgresTestDatabase();
    redis = connectTestRedis();
    const every2s = [...SINGLE_INSTANCE_JOBS, EVERY_INSTANCE_JOB].map((job) => `${job}=*/2 * * * * *`).join(';');
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      ADMIN_API_KEY: ADMIN_KEY,
      ...TEST_PERSONAL_DATA_ENV,
      TELEPHONY_PROVIDER: 'simulated',
      SEED_DEMO: 'false',
      // Debug: every run of an every-instance job is logged ('job finished'), which is how this test sees them.
      LOG_LEVEL: 'debug',
      JOB_SCHEDULE_OVERRIDES: every2s,
    };
    await Promise.all(Array.from({ length: PROCESSES }, async () => processes.push(await startServiceProcess(env, 60_000))));
    const allUp = Date.now();

    // Act: let the schedules run, then SIGTERM: each process waits for its runs and releases its locks.
    await new Promise((resolve) => setTimeout(resolve, OBSERVE_MS));
    const stopping = Date.now();
    exitCodes = await Promise.all(processes.map((p) => p.stop()));
    window = { from: allUp + TICK_MS / 2, to: stopping - TICK_MS };
    runs = (await database.db.query<RunRow>('SELECT job, tick, instance, fencing_token, started_at, finished_at, outcome, lock_lost FROM job_runs ORDER BY job, started_at')).rows;
  }, 120_000);

  afterAll(async () => {
    for (const p of processes) p.kill();
    if (redis) {
      await deleteKeysWithPrefix(redis, prefix);
      await redis.quit();
    }
    await database?.drop();
  });

  const runsOf = (job: string) => runs.filter((r) => r.job === job);
  const failureOutput = () => processes.map((p) => p.output().split('\n').filter((l) => /"level":"(error|warn)"/.test(l)).join('\n')).join('\n');

  it('then every process exits cleanly, every run finished, and no job lock is left held in Redis', async () => {
    expect(exitCodes).toEqual([0, 0, 0]);
    expect(runs.filter((r) => r.finished_at === null || r.outcome !== 'ok' || r.lock_lost)).toEqual([]);
    const locks: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}{job:*}:lock`, 'COUNT', 1000);
      cursor = next;
      locks.push(...found);
    } while (cursor !== '0');
    expect(locks).toEqual([]);
  });

  it.each(SINGLE_INSTANCE_JOBS)('then each tick of %s ran exactly once across the three processes', (job) => {
    const ticks = runsOf(job)
      .filter((r) => r.tick !== null)
      .map((r) => (r.tick as Date).getTime());
    const expected: number[] = [];
    for (let slot = Math.ceil(window.from / TICK_MS) * TICK_MS; slot <= window.to; slot += TICK_MS) expected.push(slot);

    const once = (slot: number) => ticks.filter((t) => t === slot).length;
    expect({ job, duplicated: [...new Set(ticks)].filter((t) => once(t) > 1).map((t) => new Date(t).toISOString()) }).toEqual({ job, duplicated: [] });
    expect(expected.length).toBeGreaterThanOrEqual(3);
    if (expected.some((slot) => once(slot) !== 1)) throw new Error(`${job}: ticks not run exactly once: ${expected.filter((s) => once(s) !== 1).map((s) => new Date(s).toISOString())}\n${failureOutput()}`);
  });

  it.each(SINGLE_INSTANCE_JOBS)('then no two runs of %s overlapped in time and fencing tokens strictly increased', (job) => {
    const ordered = runsOf(job); // by started_at
    for (let i = 1; i < ordered.length; i += 1) {
      const [before, after] = [ordered[i - 1], ordered[i]];
      expect({ job, startedBeforePreviousEnded: after.started_at.getTime() < (before.finished_at as Date).getTime() }).toEqual({ job, startedBeforePreviousEnded: false });
      expect(Number(after.fencing_token)).toBeGreaterThan(Number(before.fencing_token));
    }
  });

  it('then the single-instance runs were shared out among the processes, not all made by one', () => {
    const instances = new Set(runs.map((r) => r.instance));
    expect(instances.size).toBeGreaterThan(1);
    for (const instance of instances) expect(processes.map((p) => `#${p.pid}`)).toContainEqual(instance.slice(instance.lastIndexOf('#')));
  });

  it(`then the every-instance job ${EVERY_INSTANCE_JOB} ran on all three processes`, () => {
    const runsPerProcess = processes.map(
      (p) =>
        p
          .output()
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line) as { message?: string; job?: string })
          .filter((entry) => entry.message === 'job finished' && entry.job === EVERY_INSTANCE_JOB).length,
    );

    expect(runsPerProcess.every((n) => n >= 3)).toBe(true);
  });
});
