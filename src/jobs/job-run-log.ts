import type { Queryable } from '../db/database';

export interface JobRunStart {
  job: string;
  /** The scheduled time the run was for; null for a run outside the schedule (at start). */
  tick: Date | null;
  /** Which instance ran it (host and process id). */
  instance: string;
  fencingToken: number | null;
  startedAt: Date;
}

export interface JobRunEnd {
  finishedAt: Date;
  outcome: 'ok' | 'failed';
  /** The instance lost the job's lock before the run ended (its signal was aborted). */
  lockLost: boolean;
}

/**
 * The history of single-instance job runs (table job_runs), for operators: which instance ran what,
 * when, for which tick, under which fencing token, and how it ended. A run in progress has no end yet.
 */
export interface JobRunLog {
  /** Records a run as begun; returns its id, to record its end with. */
  started(run: JobRunStart): Promise<number>;
  finished(id: number, end: JobRunEnd): Promise<void>;
  /** Forgets runs that started before `cutoff`; returns how many. */
  deleteBefore(cutoff: Date): Promise<number>;
}

export class SqlJobRunLog implements JobRunLog {
  constructor(private readonly db: Queryable) {}

  async started(run: JobRunStart): Promise<number> {
    const { rows } = await this.db.query<{ id: number }>(
      'INSERT INTO job_runs (job, tick, instance, fencing_token, started_at) VALUES ($1, $2, $3, $4, $5) RETURNING id',
      [run.job, run.tick, run.instance, run.fencingToken, run.startedAt],
    );
    return Number(rows[0].id);
  }

  async finished(id: number, end: JobRunEnd): Promise<void> {
    await this.db.query('UPDATE job_runs SET finished_at = $2, outcome = $3, lock_lost = $4 WHERE id = $1', [id, end.finishedAt, end.outcome, end.lockLost]);
  }

  async deleteBefore(cutoff: Date): Promise<number> {
    return (await this.db.query('DELETE FROM job_runs WHERE started_at < $1', [cutoff])).rowCount;
  }
}
