export interface JobDefinition {
  name: string;
  /** A node-cron expression; six fields include seconds ('*\/5 * * * * *'). */
  schedule: string;
  /**
   * Runs on one instance of the deployment at a time, under the job's lock (JobLock): each tick runs
   * once across all instances and a run never overlaps another run of the same job anywhere. Leave it
   * off for work every instance must do for itself (its own memory, its own local queue).
   */
  singleInstance: boolean;
  /**
   * Random delay before each scheduled run, so instances and jobs do not all hit the database at once.
   * Never more than half the schedule's interval, so a tick's run does not run into the next tick.
   */
  jitterMs?: number;
  /** Jobs that work in batches should check `context.signal` between them (absent when called directly). */
  run(context?: JobRunContext): Promise<unknown>;
}

export interface JobRunContext {
  /**
   * Aborted (with a JobLockLostError) when this instance lost the job's lock mid-run, i.e. another
   * instance may be running the job now: stop at the next safe point. Never aborted for jobs every
   * instance runs.
   */
  signal: AbortSignal;
  /** The lock's fencing token for this run (single-instance jobs); null for jobs every instance runs. */
  fencingToken: number | null;
}

/**
 * Why an instance did not run a job when asked to: it is still running here, another instance holds
 * its lock (a run is in progress there), another instance already ran this tick, or the lock could
 * not be asked (Redis down: the scheduler fails closed).
 */
export type JobSkipReason = 'running-here' | 'running-elsewhere' | 'ran-elsewhere' | 'lock-unavailable';

/** Told how every run ended (the service's metrics); must not throw. */
export interface JobObserver {
  jobFinished(job: string, result: 'ok' | 'failed', seconds: number): void;
  /** A run this instance did not make, and why. */
  jobSkipped?(job: string, reason: JobSkipReason): void;
  /** A run that lost its lock before it ended (its signal was aborted); jobFinished follows. */
  jobLockLost?(job: string): void;
}
