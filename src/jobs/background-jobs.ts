import type { CallReattribution } from '../calls/call-reattribution';
import type { CallWriter } from '../calls/durable/call-writer';
import type { NumberDirectory } from '../numbers/number-directory';
import type { NumberLifecycle } from '../numbers/number-lifecycle';
import type { NumberReconciliation } from '../numbers/number-reconciliation';
import type { LeaseHistoryWriter } from '../pool/lease-history-writer';
import type { PoolStore } from '../pool/pool-store';
import type { RetentionJob } from '../privacy/retention/retention-job';
import type { Clock } from '../shared/clock';
import type { SubjectLimits } from '../privacy/subject-limits';
import type { JobDefinition } from './job-scheduler';

export interface JobDependencies {
  clock: Clock;
  numberDirectory: NumberDirectory;
  callWriter: CallWriter;
  reattribution: CallReattribution;
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
}

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
    { name: 'retention', schedule: d.retentionSchedule, singleInstance: true, jitterMs: 60_000, run: () => d.retention.run(d.clock.now()) },
  ];
  if (d.reconciliation) {
    const reconciliation = d.reconciliation;
    jobs.push({ name: 'number-reconciliation', schedule: '0 23 */6 * * *', singleInstance: true, jitterMs: 60_000, run: () => reconciliation.run() });
  }
  return Object.fromEntries(jobs.map((j) => [j.name, j]));
}
