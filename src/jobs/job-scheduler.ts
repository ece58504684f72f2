import { hostname } from 'node:os';
import cron, { type ScheduledTask } from 'node-cron';
import { getLogger } from '../shared/logging/logger';
import type { JobDefinition, JobObserver } from './job-definition';
import type { LeaseTiming } from './held-job-lock';
import type { JobLock } from './job-lock';
import { JobRunner } from './job-runner';
import type { JobRunLog } from './job-run-log';
import { MemoryJobLock } from './memory-job-lock';

export type { JobDefinition, JobObserver, JobRunContext, JobSkipReason } from './job-definition';

const log = getLogger('jobs');

export interface JobSchedulerOptions {
  /** Names this instance in the run history; default host name and process id. */
  instanceId?: string;
  /** Where single-instance runs are recorded (job_runs). */
  history?: JobRunLog;
  /** How long a lock grant lasts and how often a run renews it (default 30 s and 10 s). */
  timing?: LeaseTiming;
}

export const DEFAULT_LEASE_TIMING: LeaseTiming = { leaseMs: 30_000, renewEveryMs: 10_000 };

/** node-cron's own messages (missed ticks, blocked overlaps) go to our logs, at debug level. */
const cronLogger = {
  info: (m: string) => log.debug(m),
  warn: (m: string) => log.debug(m),
  error: (m: string | Error) => log.warn('scheduler error', { error: m }),
  debug: (m: string | Error) => log.debug(String(m)),
};

/**
 * Background jobs on node-cron. Single-instance jobs run under a lock every instance shares (Redis, or
 * in-process without Redis; see JobRunner): each tick runs on exactly one instance and runs of a job
 * never overlap anywhere. Every job: never overlaps itself in this process, starts after a random
 * jitter, has its failures logged and counted without stopping its schedule; timers do not keep the
 * process alive; `stop` ends the schedules, cancels runs still waiting out their jitter and waits for
 * runs in progress (which release their locks).
 */
export class JobScheduler {
  private readonly tasks: ScheduledTask[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly waiting = new Set<() => void>();
  private readonly runner: JobRunner;
  private stopped = false;

  constructor(lock: JobLock = new MemoryJobLock(), observer?: JobObserver, options: JobSchedulerOptions = {}) {
    this.runner = new JobRunner({
      lock,
      observer,
      history: options.history,
      timing: options.timing ?? DEFAULT_LEASE_TIMING,
      instanceId: options.instanceId ?? `${hostname()}#${process.pid}`,
    });
  }

  start(jobs: readonly JobDefinition[]): void {
    for (const job of jobs) {
      let jitterMs = 0;
      const task = cron.createTask(job.schedule, (context) => this.tick(job, context.date, jitterMs), { name: job.name, noOverlap: true, unref: true, logger: cronLogger });
      jitterMs = Math.min(job.jitterMs ?? 0, shortestInterval(task) / 2);
      this.tasks.push(task);
      void task.start();
    }
  }

  /** Runs a job now, outside its schedule (at start, or from a test); never rejects. */
  runNow(job: JobDefinition): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return this.track(this.runner.run(job, null));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const task of this.tasks.splice(0)) {
      await task.stop();
      await task.destroy();
    }
    for (const cancel of [...this.waiting]) cancel();
    await Promise.all([...this.inFlight]);
  }

  /** `slot`: the time the tick is for (node-cron's, the same on every instance), which names the tick. */
  private async tick(job: JobDefinition, slot: Date, jitterMs: number): Promise<void> {
    if (!(await this.jitter(jitterMs)) || this.stopped) return;
    await this.track(this.runner.run(job, slot, jitterMs));
  }

  /** Waits a random part of `maxMs`; false when the scheduler stopped meanwhile (the run is dropped). */
  private jitter(maxMs: number): Promise<boolean> {
    const ms = Math.floor(Math.random() * maxMs);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (proceed: boolean) => {
        this.waiting.delete(cancel);
        clearTimeout(timer);
        resolve(proceed);
      };
      const cancel = () => done(false);
      const timer = setTimeout(() => done(true), ms);
      timer.unref();
      this.waiting.add(cancel);
    });
  }

  private track(run: Promise<void>): Promise<void> {
    const tracked = run.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    return tracked;
  }
}

/** The shortest gap between the schedule's next runs (an irregular schedule has several gaps). */
function shortestInterval(task: ScheduledTask): number {
  const runs = task.getNextRuns(5).map((d) => d.getTime());
  let shortest = Number.POSITIVE_INFINITY;
  for (let i = 1; i < runs.length; i += 1) shortest = Math.min(shortest, runs[i] - runs[i - 1]);
  return shortest;
}
