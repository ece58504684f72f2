import { backgroundJobs, JOB_NAMES, type JobDependencies } from './background-jobs';

/** Only the schedule is under test: the dependencies are never called. */
const deps = (over: Partial<JobDependencies> = {}): JobDependencies => ({ retentionSchedule: '0 17 3 * * *', reconciliation: null, ...over }) as unknown as JobDependencies;

describe('backgroundJobs', () => {
  it('when no schedule is overridden, then every job has its own, and the jobs touching shared data run on one instance only', () => {
    const jobs = backgroundJobs(deps());

    expect(Object.keys(jobs).every((name) => (JOB_NAMES as readonly string[]).includes(name))).toBe(true);
    expect(jobs.retention.schedule).toBe('0 17 3 * * *');
    for (const name of ['reattribution', 'quarantine-release', 'retention', 'partition-maintenance', 'job-runs-trim', 'deliveries-trim', 'pool-health-sample', 'call-source-snapshot']) expect([name, jobs[name].singleInstance]).toEqual([name, true]);
    for (const name of ['route-table-refresh', 'privacy-limits-refresh', 'call-queue-drain', 'outbox-dispatch', 'webhook-delivery']) expect([name, jobs[name].singleInstance]).toEqual([name, false]);
  });

  it('when schedules are overridden, then those jobs take them and the others keep theirs', () => {
    const jobs = backgroundJobs(deps({ scheduleOverrides: { retention: '*/2 * * * * *', 'number-reconciliation': '0 0 * * * *' } }));

    expect(jobs.retention.schedule).toBe('*/2 * * * * *');
    expect(jobs.reattribution.schedule).toBe('15 * * * * *');
  });

  it('when an override names no job, then building the jobs fails, naming it', () => {
    expect(() => backgroundJobs(deps({ scheduleOverrides: { retenton: '*/2 * * * * *' } }))).toThrow(/retenton/);
  });
});
