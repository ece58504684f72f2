import { describeWithPostgres } from '../../test/support/conditional';
import { createPgliteTestDatabase, createPostgresTestDatabase, type TestDatabase } from '../../test/support/databases';
import { SqlJobRunLog } from './job-run-log';

function runJobRunLogTests(createDatabase: () => Promise<TestDatabase>): void {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createDatabase();
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it('when a run starts and ends, then its row holds the tick, instance, token and how it ended; old rows can be trimmed', async () => {
    const log = new SqlJobRunLog(testDb.db);
    const startedAt = new Date('2026-11-30T03:17:00.250Z');
    const id = await log.started({ job: 'retention', tick: new Date('2026-11-30T03:17:00Z'), instance: 'host#1', fencingToken: 41, startedAt });
    const running = (await testDb.db.query('SELECT finished_at, outcome FROM job_runs WHERE id = $1', [id])).rows;

    await log.finished(id, { finishedAt: new Date('2026-11-30T03:17:04Z'), outcome: 'ok', lockLost: false });
    await log.started({ job: 'retention', tick: null, instance: 'host#2', fencingToken: 42, startedAt: new Date('2026-12-30T00:00:00Z') });

    expect(running).toEqual([{ finished_at: null, outcome: null }]);
    expect((await testDb.db.query('SELECT job, tick, instance, fencing_token, started_at, finished_at, outcome, lock_lost FROM job_runs WHERE id = $1', [id])).rows).toEqual([
      { job: 'retention', tick: new Date('2026-11-30T03:17:00Z'), instance: 'host#1', fencing_token: 41, started_at: startedAt, finished_at: new Date('2026-11-30T03:17:04Z'), outcome: 'ok', lock_lost: false },
    ]);
    expect(await log.deleteBefore(new Date('2026-12-01T00:00:00Z'))).toBe(1);
    expect((await testDb.db.query('SELECT instance FROM job_runs')).rows).toEqual([{ instance: 'host#2' }]);
  });
}

describeWithPostgres('SqlJobRunLog on Postgres', () => runJobRunLogTests(createPostgresTestDatabase));
describe('SqlJobRunLog on PGlite', () => runJobRunLogTests(createPgliteTestDatabase));
