import { loadConfig } from '../../config';
import { parsePrometheus, sampleValue } from '../../test/support/prometheus-text';
import { JobScheduler, type JobDefinition } from '../jobs/job-scheduler';
import type { Pool } from '../pool/pool-config-store';
import type { PoolStats } from '../pool/pool-store';
import { failedBackend } from './backend-errors';
import { Metrics } from './metrics';
import { PoolStatsReader } from './pool-stats-reader';

const job = (name: string, run: () => Promise<unknown>): JobDefinition => ({ name, schedule: '0 0 1 1 *', singleInstance: false, run });
const scrape = async (metrics: Metrics) => parsePrometheus(await metrics.scrape());
const pool = (id: string) => ({ id, leaseSeconds: 60, cooldownSeconds: 0, graceSeconds: 0, exhaustionPolicy: 'overflow' }) as Pool;
const STATS: PoolStats = { total: 4, leased: 1, available: 2, coolingDown: 1, exhaustedCount: 3 };

describe('Metrics', () => {
  it('when the scheduler runs a job that succeeds and one that fails, then each run is counted with its result and timed', async () => {
    const metrics = new Metrics();
    const scheduler = new JobScheduler(undefined, metrics);

    await scheduler.runNow(job('route-table-refresh', async () => 'ok'));
    await scheduler.runNow(job('route-table-refresh', async () => 'ok'));
    await scheduler.runNow(job('retention', async () => Promise.reject(new Error('database down'))));

    const samples = await scrape(metrics);
    expect(sampleValue(samples, 'ct_job_runs_total', { job: 'route-table-refresh', result: 'ok' })).toBe(2);
    expect(sampleValue(samples, 'ct_job_runs_total', { job: 'route-table-refresh', result: 'failed' })).toBe(0);
    expect(sampleValue(samples, 'ct_job_runs_total', { job: 'retention', result: 'failed' })).toBe(1);
    expect(sampleValue(samples, 'ct_job_duration_seconds_count', { job: 'route-table-refresh' })).toBe(2);
    expect(sampleValue(samples, 'ct_job_duration_seconds_count', { job: 'retention' })).toBe(1);
  });

  it('when a run is skipped or loses its lock, then that is counted per job and reason', async () => {
    const metrics = new Metrics();

    metrics.jobSkipped('retention', 'ran-elsewhere');
    metrics.jobSkipped('retention', 'lock-unavailable');
    metrics.jobLockLost('reattribution');

    const samples = await scrape(metrics);
    expect(sampleValue(samples, 'ct_job_skips_total', { job: 'retention', reason: 'ran-elsewhere' })).toBe(1);
    expect(sampleValue(samples, 'ct_job_skips_total', { job: 'retention', reason: 'lock-unavailable' })).toBe(1);
    expect(sampleValue(samples, 'ct_job_lock_lost_total', { job: 'reattribution' })).toBe(1);
  });

  it('when two apps run in one process, then each counts only its own events and both show the process metrics', async () => {
    const a = new Metrics();
    const b = new Metrics();

    a.lease('granted');

    const [fromA, fromB] = await Promise.all([scrape(a), scrape(b)]);
    expect(sampleValue(fromA, 'ct_leases_total', { outcome: 'granted' })).toBe(1);
    expect(sampleValue(fromB, 'ct_leases_total', { outcome: 'granted' })).toBe(0);
    expect(fromA.some((s) => s.name === 'ct_process_cpu_seconds_total')).toBe(true);
    expect(fromB.some((s) => s.name === 'ct_process_cpu_seconds_total')).toBe(true);
  });

  it('when the pool store answers, then every pool has its numbers by state, its utilisation and its exhaustion count', async () => {
    const metrics = new Metrics();
    metrics.watchPools(new PoolStatsReader({ listPools: async () => [pool('p1')], poolStore: { stats: async () => STATS }, now: () => 0 }));

    const samples = await scrape(metrics);

    expect(sampleValue(samples, 'ct_pool_numbers', { pool_id: 'p1', state: 'leased' })).toBe(1);
    expect(sampleValue(samples, 'ct_pool_numbers', { pool_id: 'p1', state: 'available' })).toBe(2);
    expect(sampleValue(samples, 'ct_pool_numbers', { pool_id: 'p1', state: 'cooling_down' })).toBe(1);
    expect(sampleValue(samples, 'ct_pool_utilisation_ratio', { pool_id: 'p1' })).toBe(0.25);
    expect(sampleValue(samples, 'ct_pool_exhausted_total', { pool_id: 'p1' })).toBe(3);
    expect(sampleValue(samples, 'ct_metrics_source_up', { source: 'pools' })).toBe(1);
  });

  it('when there are more pools than the limit, then only the oldest up to the limit are reported', async () => {
    const metrics = new Metrics();
    const pools = ['p1', 'p2', 'p3'].map(pool);
    metrics.watchPools(new PoolStatsReader({ listPools: async () => pools, poolStore: { stats: async () => STATS }, now: () => 0 }, { maxPools: 2, budgetMs: 1000 }));

    const reported = (await scrape(metrics)).filter((s) => s.name === 'ct_pool_utilisation_ratio').map((s) => s.labels.pool_id);

    expect(reported).toEqual(['p1', 'p2']);
  });

  it('when the pool store does not answer, then the scrape still answers within the budget, without pool gauges, and one read stays in flight', async () => {
    const metrics = new Metrics();
    let reads = 0;
    const hanging = { stats: () => new Promise<PoolStats>(() => undefined) };
    const listPools = async () => {
      reads += 1;
      return [pool('p1')];
    };
    metrics.watchPools(new PoolStatsReader({ listPools, poolStore: hanging, now: () => 0 }, { maxPools: 500, budgetMs: 50 }));

    const first = await scrape(metrics);
    const second = await scrape(metrics);

    expect(first.filter((s) => s.name.startsWith('ct_pool_'))).toEqual([]);
    expect(sampleValue(first, 'ct_metrics_source_up', { source: 'pools' })).toBe(0);
    expect(sampleValue(second, 'ct_metrics_source_up', { source: 'pools' })).toBe(0);
    expect(reads).toBe(1);
  });

  it('when the call queue is watched, then its depth is shown under its name', async () => {
    const metrics = new Metrics();
    metrics.watchCallQueue({ name: 'redis+file', size: async () => 7 });


    const samples = await scrape(metrics);

    expect(sampleValue(samples, 'ct_call_queue_depth', { queue: 'redis+file' })).toBe(7);
    expect(sampleValue(samples, 'ct_metrics_source_up', { source: 'call_queue' })).toBe(1);
  });
});

describe('failedBackend', () => {
  it.each([
    ['a Postgres connection failure (SQLSTATE 08006)', Object.assign(new Error('connection failure'), { code: '08006' }), 'postgres'],
    ['node-postgres losing its connection', new Error('Connection terminated unexpectedly'), 'postgres'],
    ['ioredis giving up on a command', Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' }), 'redis'],
    ['a closed Redis connection', new Error('Connection is closed.'), 'redis'],
    ['the pool store timing out', Object.assign(new Error('pool store did not answer within 2000 ms'), { name: 'TimeoutError' }), 'redis'],
    ['a refused connection to either', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'unknown'],
    ['a programming error', new TypeError('x is not a function'), null],
  ])('when %s reaches the error handler, then it is counted as %s', (_label, err, backend) => {
    expect(failedBackend(err)).toBe(backend);
  });
});

describe('metrics settings', () => {
  const base = { NODE_ENV: 'test', ADMIN_API_KEY: 'ctk_admin_test_key_0123456789abcdef' };

  it('when neither METRICS_TOKEN nor METRICS_PORT is set, then metrics are exposed nowhere', () => {
    expect(loadConfig(base)).toMatchObject({ metricsToken: undefined, metricsPort: undefined });
  });

  it('when METRICS_PORT is the main port, then the configuration is refused (that listener has no authentication)', () => {
    expect(() => loadConfig({ ...base, PORT: '3000', METRICS_PORT: '3000' })).toThrow(/METRICS_PORT must differ from PORT/);
  });

  it('when METRICS_TOKEN is short, then the configuration is refused naming it', () => {
    expect(() => loadConfig({ ...base, METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN: must be at least 24 characters/);
  });

  it('when both are set, then both are read', () => {
    expect(loadConfig({ ...base, METRICS_TOKEN: 'metrics-token-0123456789abcdef', METRICS_PORT: '9464' })).toMatchObject({ metricsToken: 'metrics-token-0123456789abcdef', metricsPort: 9464 });
  });
});
