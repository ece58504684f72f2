import { getLogger } from '../shared/logging/logger';
import type { JobDefinition, JobObserver, JobRunContext, JobSkipReason } from './job-definition';
import { holdJobLock, type LeaseTiming } from './held-job-lock';
import type { JobLock } from './job-lock';
import type { JobRunLog, JobRunStart } from './job-run-log';

const log = getLogger('jobs');
/** The signal of runs no lock stands behind (jobs every instance runs): never aborted. */
const NEVER_ABORTED = new AbortController().signal;
/** A tick claim outlives every instance's attempt at the tick: its jitter plus this much clock skew and delay. */
const TICK_CLAIM_SLACK_MS = 5 * 60_000;

export interface JobRunnerOptions {
  lock: JobLock;
  timing: LeaseTiming;
  /** Names this instance in the run history. */
  instanceId: string;
  history?: JobRunLog;
  observer?: JobObserver;
}

/**
 * Makes one run of a job: for a single-instance job, takes the job's lock (claiming the tick when
 * scheduled), keeps it renewed while the job runs, records the run in the history and lets go of the
 * lock; then tells the observer. Failures are logged per job and never escape: `run` never rejects.
 */
export class JobRunner {
  private readonly running = new Set<string>();

  constructor(private readonly o: JobRunnerOptions) {}

  /** `tick`: the scheduled time this run is for, or null for a run outside the schedule. */
  async run(job: JobDefinition, tick: Date | null, jitterMs = 0): Promise<void> {
    // node-cron keeps a tick from overlapping the previous one; this also covers runNow beside a tick.
    if (this.running.has(job.name)) return this.skipped(job, 'running-here');
    this.running.add(job.name);
    try {
      if (job.singleInstance) await this.runLocked(job, tick, jitterMs);
      else await this.execute(job, { signal: NEVER_ABORTED, fencingToken: null }, tick);
    } finally {
      this.running.delete(job.name);
    }
  }

  private async runLocked(job: JobDefinition, tick: Date | null, jitterMs: number): Promise<void> {
    const { lock, timing } = this.o;
    const askedAt = Date.now();
    let outcome: Awaited<ReturnType<JobLock['acquire']>>;
    try {
      outcome = await lock.acquire(job.name, timing.leaseMs, tick ? { slot: tick, ttlMs: jitterMs + TICK_CLAIM_SLACK_MS } : undefined);
    } catch (err) {
      log.warn('job lock could not be asked; run skipped', { job: job.name, error: err });
      return this.skipped(job, 'lock-unavailable');
    }
    if (outcome.outcome !== 'acquired') return this.skipped(job, outcome.outcome === 'held' ? 'running-elsewhere' : 'ran-elsewhere');
    const held = holdJobLock(lock, job.name, outcome.token, timing, askedAt);
    try {
      await this.execute(job, { signal: held.signal, fencingToken: held.token }, tick);
    } finally {
      await held.release();
    }
  }

  private async execute(job: JobDefinition, context: JobRunContext, tick: Date | null): Promise<void> {
    const startedAt = new Date();
    const record: JobRunStart = { job: job.name, tick, instance: this.o.instanceId, fencingToken: context.fencingToken, startedAt };
    const recorded = job.singleInstance ? this.recordStart(record) : undefined;
    let outcome: 'ok' | 'failed';
    try {
      const result = await job.run(context);
      log.debug('job finished', { job: job.name, ms: Date.now() - startedAt.getTime(), result });
      outcome = 'ok';
    } catch (err) {
      log.error('job failed; will run again on schedule', { job: job.name, error: err });
      outcome = 'failed';
    }
    const finishedAt = new Date();
    const lockLost = context.signal.aborted;
    if (lockLost) this.notify((o) => o.jobLockLost?.(job.name));
    if (recorded) await this.recordEnd(record, await recorded, { finishedAt, outcome, lockLost });
    this.notify((o) => o.jobFinished(job.name, outcome, (finishedAt.getTime() - startedAt.getTime()) / 1000));
  }

  /** The history is for operators: a database that does not answer must not stop the job. */
  private recordStart(run: JobRunStart): Promise<number | null> {
    const { history } = this.o;
    if (!history) return Promise.resolve(null);
    return history.started(run).catch((err: unknown) => {
      log.warn('job run not recorded at its start', { job: run.job, error: err });
      return null;
    });
  }

  private async recordEnd(run: JobRunStart, id: number | null, end: Parameters<JobRunLog['finished']>[1]): Promise<void> {
    const { history } = this.o;
    if (!history) return;
    try {
      await history.finished(id ?? (await history.started(run)), end);
    } catch (err) {
      log.warn('job run not recorded at its end', { job: run.job, error: err });
    }
  }

  private skipped(job: JobDefinition, reason: JobSkipReason): void {
    if (reason === 'running-here') log.debug('job still running here; run skipped', { job: job.name });
    else log.debug('job run skipped', { job: job.name, reason });
    this.notify((o) => o.jobSkipped?.(job.name, reason));
  }

  private notify(tell: (observer: JobObserver) => void): void {
    if (!this.o.observer) return;
    try {
      tell(this.o.observer);
    } catch (err) {
      log.warn('job observer failed', { error: err });
    }
  }
}
