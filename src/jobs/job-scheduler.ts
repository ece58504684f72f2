import cron, { type RunCoordinator, type ScheduledTask } from 'node-cron';
import { getLogger } from '../shared/logging/logger';

const log = getLogger('jobs');

export interface JobDefinition {
  name: string;
  /** A node-cron expression; six fields include seconds ('*\/5 * * * * *'). */
  schedule: string;
  /**
   * One instance runs each tick (the others skip it) when a run coordinator is configured. Leave it off
   * for work every instance must do for itself (its own memory, its own local queue).
   */
  singleInstance: boolean;
  /** Random delay before each run, so instances and jobs do not all hit the database at once. */
  jitterMs?: number;
  run(): Promise<unknown>;
}

/** node-cron's own messages (missed ticks, blocked overlaps) go to our logs, at debug level. */
const cronLogger = {
  info: (m: string) => log.debug(m),
  warn: (m: string) => log.debug(m),
  error: (m: string | Error) => log.warn('scheduler error', { error: m }),
  debug: (m: string | Error) => log.debug(String(m)),
};

/**
 * Background jobs on node-cron: a run never overlaps the previous one (noOverlap), timers do not keep
 * the process alive (unref), failures are logged per job and never stop the schedule, and `stop`
 * waits for runs in progress so shutdown is clean.
 */
export class JobScheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly coordinator?: RunCoordinator) {}

  start(jobs: readonly JobDefinition[]): void {
    for (const job of jobs) {
      const distributed = job.singleInstance && this.coordinator !== undefined;
      this.tasks.push(
        cron.schedule(job.schedule, () => this.runNow(job), {
          name: job.name,
          noOverlap: true,
          unref: true,
          maxRandomDelay: job.jitterMs ?? 0,
          logger: cronLogger,
          ...(distributed ? { distributed: true, runCoordinator: this.coordinator } : {}),
        }),
      );
    }
  }

  /** Runs a job now, outside its schedule (at start, or from a test); never rejects. */
  runNow(job: JobDefinition): Promise<void> {
    const started = Date.now();
    const run = job
      .run()
      .then((result) => {
        log.debug('job finished', { job: job.name, ms: Date.now() - started, result });
      })
      .catch((err) => {
        log.error('job failed; will run again on schedule', { job: job.name, error: err });
      })
      .finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
    return run;
  }

  async stop(): Promise<void> {
    for (const task of this.tasks.splice(0)) {
      await task.stop();
      await task.destroy();
    }
    await Promise.all([...this.inFlight]);
  }
}
