import type { JobLock } from './job-lock';
import type { JobRunEnd, JobRunLog, JobRunStart } from './job-run-log';
import { JobScheduler, type JobDefinition, type JobObserver, type JobRunContext, type JobSkipReason } from './job-scheduler';
import { MemoryJobLock } from './memory-job-lock';

const job = (run: (context?: JobRunContext) => Promise<unknown>, over: Partial<JobDefinition> = {}): JobDefinition => ({ name: 'test-job', schedule: '* * * * * *', singleInstance: false, run, ...over });
const until = async (check: () => boolean, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Counts what the scheduler reports, as the metrics do. */
class RecordingObserver implements JobObserver {
  finished: { job: string; result: string }[] = [];
  skipped: { job: string; reason: JobSkipReason }[] = [];
  lockLost: string[] = [];
  jobFinished(jobName: string, result: 'ok' | 'failed'): void {
    this.finished.push({ job: jobName, result });
  }
  jobSkipped(jobName: string, reason: JobSkipReason): void {
    this.skipped.push({ job: jobName, reason });
  }
  jobLockLost(jobName: string): void {
    this.lockLost.push(jobName);
  }
}

class MemoryRunLog implements JobRunLog {
  runs: (JobRunStart & Partial<JobRunEnd>)[] = [];
  async started(run: JobRunStart): Promise<number> {
    return this.runs.push({ ...run }) - 1;
  }
  async finished(id: number, end: JobRunEnd): Promise<void> {
    Object.assign(this.runs[id], end);
  }
  async deleteBefore(): Promise<number> {
    return 0;
  }
}

/** A promise a test settles by hand, to hold a job mid-run. */
function gate(): { promise: Promise<void>; open(): void } {
  let open = () => undefined as void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

describe('JobScheduler', () => {
  it('when a job fails, then running it resolves anyway, the failure is counted and the schedule keeps going', async () => {
    const observer = new RecordingObserver();
    const scheduler = new JobScheduler(undefined, observer);
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
    expect(observer.finished.every((f) => f.result === 'failed')).toBe(true);
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

  it('when a job is still running in this process, then running it again is skipped and counted', async () => {
    const observer = new RecordingObserver();
    const scheduler = new JobScheduler(undefined, observer);
    const held = gate();
    const slow = job(() => held.promise);

    const first = scheduler.runNow(slow);
    await scheduler.runNow(slow);
    held.open();
    await first;

    expect(observer.skipped).toEqual([{ job: 'test-job', reason: 'running-here' }]);
    expect(observer.finished).toHaveLength(1);
  });

  it('when stopped during a run, then stop waits for the run to finish and the lock is released', async () => {
    const lock = new MemoryJobLock();
    const scheduler = new JobScheduler(lock);
    let finished = false;
    void scheduler.runNow(
      job(
        async () => {
          await new Promise((r) => setTimeout(r, 200));
          finished = true;
        },
        { singleInstance: true },
      ),
    );

    await scheduler.stop();

    expect(finished).toBe(true);
    expect((await lock.acquire('test-job', 1000)).outcome).toBe('acquired');
  });

  describe('single-instance jobs on instances sharing a lock', () => {
    it('when a run is in progress on one instance, then another instance skips the job (counted) instead of running it alongside', async () => {
      const lock = new MemoryJobLock();
      const [observerA, observerB] = [new RecordingObserver(), new RecordingObserver()];
      const [a, b] = [new JobScheduler(lock, observerA), new JobScheduler(lock, observerB)];
      const held = gate();
      let runs = 0;
      const work = () => {
        runs += 1;
        return held.promise;
      };

      const running = a.runNow(job(work, { singleInstance: true }));
      await b.runNow(job(work, { singleInstance: true }));
      held.open();
      await running;

      expect(runs).toBe(1);
      expect(observerB.skipped).toEqual([{ job: 'test-job', reason: 'running-elsewhere' }]);
    });

    it('when ticks fire on three instances, then each tick runs once, runs never overlap, and fencing tokens increase', async () => {
      const lock = new MemoryJobLock();
      const history = new MemoryRunLog();
      const schedulers = ['a', 'b', 'c'].map((instanceId) => new JobScheduler(lock, undefined, { instanceId, history }));
      const ticking = job(() => new Promise((r) => setTimeout(r, 50)), { singleInstance: true, jitterMs: 300 });

      for (const s of schedulers) s.start([ticking]);
      await until(() => new Set(history.runs.filter((r) => r.finishedAt).map((r) => r.tick?.getTime())).size >= 3, 8000);
      await Promise.all(schedulers.map((s) => s.stop()));

      const ticks = history.runs.map((r) => r.tick?.toISOString());
      expect(new Set(ticks).size).toBe(ticks.length);
      const byStart = [...history.runs].sort((x, y) => x.startedAt.getTime() - y.startedAt.getTime());
      for (let i = 1; i < byStart.length; i += 1) {
        expect(byStart[i].startedAt.getTime()).toBeGreaterThanOrEqual(byStart[i - 1].finishedAt!.getTime());
        expect(byStart[i].fencingToken!).toBeGreaterThan(byStart[i - 1].fencingToken!);
      }
    });

    it('when the lock is lost mid-run, then the job is told through its signal and the loss is counted and recorded', async () => {
      const refusing: JobLock = {
        acquire: async () => ({ outcome: 'acquired', token: 7 }),
        renew: async () => false,
        release: async () => false,
      };
      const observer = new RecordingObserver();
      const history = new MemoryRunLog();
      const scheduler = new JobScheduler(refusing, observer, { history, timing: { leaseMs: 200, renewEveryMs: 20 } });
      let stoppedEarly = false;

      await scheduler.runNow(
        job(
          (context) =>
            new Promise<void>((resolve) => {
              context?.signal.addEventListener('abort', () => {
                stoppedEarly = true;
                resolve();
              });
            }),
          { singleInstance: true },
        ),
      );

      expect(stoppedEarly).toBe(true);
      expect(observer.lockLost).toEqual(['test-job']);
      expect(history.runs).toEqual([expect.objectContaining({ job: 'test-job', fencingToken: 7, tick: null, outcome: 'ok', lockLost: true })]);
    });

    it('when the lock cannot be asked (Redis down), then the job does not run and the skip is counted', async () => {
      const down: JobLock = {
        acquire: async () => {
          throw new Error('connection refused');
        },
        renew: async () => false,
        release: async () => false,
      };
      const observer = new RecordingObserver();
      let ran = false;

      await new JobScheduler(down, observer).runNow(job(async () => (ran = true), { singleInstance: true }));

      expect(ran).toBe(false);
      expect(observer.skipped).toEqual([{ job: 'test-job', reason: 'lock-unavailable' }]);
    });
  });
});
