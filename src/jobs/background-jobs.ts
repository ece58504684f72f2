import type { CallReattribution } from '../calls/call-reattribution';
import type { CallWriter } from '../calls/durable/call-writer';
import type { CallIntegrations } from '../integrations/call-integrations';
import type { NumberDirectory } from '../numbers/number-directory';
import type { NumberLifecycle } from '../numbers/number-lifecycle';
import type { NumberReconciliation } from '../numbers/number-reconciliation';
import type { LeaseHistoryWriter } from '../pool/lease-history-writer';
import type { PoolStore } from '../pool/pool-store';
import type { RetentionJob } from '../privacy/retention/retention-job';
import type { Clock } from '../shared/clock';
import type { SubjectLimits } from '../privacy/subject-limits';
import type { Database } from '../db/database';
import { ensureActivityPartitions } from '../db/partitions';
import { CallSourceSnapshot } from '../reports/call-source-snapshot';
import type { JobDefinition } from './job-scheduler';
import type { JobRunLog } from './job-run-log';
import type { PoolHealthSampler } from '../pool/health/pool-health-sampler';

export interface JobDependencies {
  clock: Clock;
  numberDirectory: NumberDirectory;
  callWriter: CallWriter;
  reattribution: CallReattribution;
  /** The call outbox and its deliveries (client webhooks, GA4). */
  integrations: CallIntegrations;
  poolStore: PoolStore;
  leaseHistory: LeaseHistoryWriter;
  lifecycle: NumberLifecycle;
  /** Only with a real carrier account: the simulated one forgets its numbers on restart. */
  reconciliation: NumberReconciliation | null;
  retention: RetentionJob;
  /** Restrictions and objections in force, held in memory for the visit and call paths. */
  subjectLimits: SubjectLimits;
  /** When the retention job runs (config.retention.schedule). */
  retentionSchedule: string;
  /** Where the partitions of visits and page views are kept ready. */
  db: Database;
  /** The history of single-instance runs, trimmed by a job of its own. */
  jobRuns: JobRunLog;
  /** Every pool's live counts, sampled into Postgres for pool health (src/pool/health). */
  poolHealthSampler: PoolHealthSampler;
  /** Schedules replacing the built-in ones, by job name (config.jobScheduleOverrides). */
  scheduleOverrides?: Record<string, string>;
}

/** Every job the service may schedule (number-reconciliation only with a real carrier account). */
export const JOB_NAMES = [
  'route-table-refresh',
  'privacy-limits-refresh',
  'call-queue-drain',
  'reattribution',
  'quarantine-release',
  'retention',
  'number-reconciliation',
  'partition-maintenance',
  'job-runs-trim',
  'outbox-dispatch',
  'webhook-delivery',
  'deliveries-trim',
  'pool-health-sample',
  'call-source-snapshot',
] as const;

const DAY_MS = 24 * 60 * 60 * 1000;
/** How long the history of job runs is kept. */
const JOB_RUNS_KEPT_MS = 30 * DAY_MS;

/** The service's scheduled work, by name. */
export function backgroundJobs(d: JobDependencies): Record<string, JobDefinition> {
  const jobs: JobDefinition[] = [
    // Every instance keeps its own routing table, so a call is routed even if Postgres is down.
    { name: 'route-table-refresh', schedule: '*/30 * * * * *', singleInstance: false, jitterMs: 5000, run: () => d.numberDirectory.warm() },
    // Each instance drains what it queued (its local file); the Redis stream is safe to drain twice.
    // Every instance holds its own copy; a request on another instance reaches this one within 30 s.
    { name: 'privacy-limits-refresh', schedule: '*/30 * * * * *', singleInstance: false, jitterMs: 3000, run: () => d.subjectLimits.refresh() },
    { name: 'call-queue-drain', schedule: '*/5 * * * * *', singleInstance: false, run: () => d.callWriter.drain() },
    {
      name: 'reattribution',
      schedule: '15 * * * * *',
      singleInstance: true,
      jitterMs: 10_000,
      // Only with the pool store back and its lease history in Postgres is the history complete.
      run: async () => {
        await d.poolStore.ping();
        await d.leaseHistory.flush();
        return d.reattribution.run();
      },
    },
    { name: 'quarantine-release', schedule: '0 7 * * * *', singleInstance: true, jitterMs: 30_000, run: () => d.lifecycle.releaseDue(d.clock.now()) },
    // Deletes or anonymises what is past retention; batched and resumable, so one instance is enough.
    { name: 'retention', schedule: d.retentionSchedule, singleInstance: true, jitterMs: 60_000, run: (context) => d.retention.run(d.clock.now(), context?.signal) },
    // This month's and the next months' partitions of visits and page views (also run at start).
    { name: 'partition-maintenance', schedule: '0 41 2 * * *', singleInstance: true, jitterMs: 60_000, run: () => ensureActivityPartitions(d.db, new Date(d.clock.now())) },
    { name: 'job-runs-trim', schedule: '0 53 4 * * *', singleInstance: true, jitterMs: 60_000, run: () => d.jobRuns.deleteBefore(new Date(d.clock.now() - JOB_RUNS_KEPT_MS)) },
    // Every instance may run these: outbox rows and due deliveries are claimed with SKIP LOCKED (and a lease), never twice.
    { name: 'outbox-dispatch', schedule: '*/5 * * * * *', singleInstance: false, jitterMs: 1000, run: () => d.integrations.dispatcher.run() },
    { name: 'webhook-delivery', schedule: '*/5 * * * * *', singleInstance: false, jitterMs: 1000, run: () => d.integrations.sender.run() },
    // Settled events and deliveries (their bodies hold caller details) are deleted after 30 days.
    { name: 'deliveries-trim', schedule: '0 11 5 * * *', singleInstance: true, jitterMs: 60_000, run: () => d.integrations.purge() },
    // One sample of every pool a minute (the pool store's counts are shared, so one instance is enough); trims past 35 days.
    { name: 'pool-health-sample', schedule: '30 * * * * *', singleInstance: true, jitterMs: 5000, run: () => d.poolHealthSampler.run(d.clock.now()) },
    // Each call takes its visit's attribution within a minute, so reports over a year read calls alone (src/reports).
    { name: 'call-source-snapshot', schedule: '40 * * * * *', singleInstance: true, jitterMs: 10_000, run: (context) => new CallSourceSnapshot(d.db).run(context?.signal) },
  ];
  if (d.reconciliation) {
    const reconciliation = d.reconciliation;
    jobs.push({ name: 'number-reconciliation', schedule: '0 23 */6 * * *', singleInstance: true, jitterMs: 60_000, run: () => reconciliation.run() });
  }
  return Object.fromEntries(withOverrides(jobs, d.scheduleOverrides ?? {}).map((j) => [j.name, j]));
}

/** Jobs with the schedules the operator set instead of theirs; a name that is no job fails the start. */
function withOverrides(jobs: JobDefinition[], overrides: Record<string, string>): JobDefinition[] {
  const unknown = Object.keys(overrides).filter((name) => !(JOB_NAMES as readonly string[]).includes(name));
  if (unknown.length) throw new Error(`JOB_SCHEDULE_OVERRIDES names no job: ${unknown.join(', ')} (jobs: ${JOB_NAMES.join(', ')})`);
  return jobs.map((job) => (overrides[job.name] ? { ...job, schedule: overrides[job.name] } : job));
}
