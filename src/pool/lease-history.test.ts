import { randomUUID } from 'node:crypto';
import { describeWithPostgres } from '../../test/support/conditional';
import { createPgliteTestDatabase, createPostgresTestDatabase, type TestDatabase } from '../../test/support/databases';
import type { Database } from '../db/database';
import { foldLeaseEvents, writeLeaseHistory, type LeaseHistoryRow } from './lease-history';
import type { LeaseEndReason, LeaseEvent } from './pool-store';

const T0 = Date.UTC(2026, 10, 30, 10, 0, 0) + 123;

const granted = (numberId: string, token: number, visitId: string, at: number, poolId = 'pool-1'): LeaseEvent => ({ type: 'granted', poolId, numberId, visitId, token, at });
const ended = (numberId: string, token: number, visitId: string, e: { startedAt: number; renewedAt: number; at: number; reason?: LeaseEndReason }, poolId = 'pool-1'): LeaseEvent => ({
  type: 'ended',
  poolId,
  numberId,
  visitId,
  token,
  reason: 'expired',
  ...e,
});

describe('foldLeaseEvents', () => {
  it('when a lease is granted and ended in one batch, then it becomes one complete row', () => {
    const rows = foldLeaseEvents([granted('n1', 1, 'v1', T0), ended('n1', 1, 'v1', { startedAt: T0, renewedAt: T0 + 60_000, at: T0 + 1_860_000 })]);

    expect(rows).toEqual([{ poolId: 'pool-1', numberId: 'n1', token: 1, visitId: 'v1', startedAt: T0, renewedAt: T0 + 60_000, endedAt: T0 + 1_860_000, endReason: 'expired' }]);
  });

  it('when only the grant is in the batch, then the row is open and was last renewed at the grant', () => {
    expect(foldLeaseEvents([granted('n1', 1, 'v1', T0)])).toEqual([
      { poolId: 'pool-1', numberId: 'n1', token: 1, visitId: 'v1', startedAt: T0, renewedAt: T0, endedAt: null, endReason: null },
    ]);
  });

  it('when only the end is in the batch (the grant went in an earlier one), then the row keeps the lease own start and last renewal', () => {
    const rows = foldLeaseEvents([ended('n1', 1, 'v1', { startedAt: T0, renewedAt: T0 + 120_000, at: T0 + 1_920_000 })]);

    expect(rows).toEqual([{ poolId: 'pool-1', numberId: 'n1', token: 1, visitId: 'v1', startedAt: T0, renewedAt: T0 + 120_000, endedAt: T0 + 1_920_000, endReason: 'expired' }]);
  });

  it('when a batch holds several leases, then each (number, token) gets its own row', () => {
    const rows = foldLeaseEvents([
      granted('n1', 1, 'v1', T0),
      granted('n2', 1, 'v2', T0 + 1),
      ended('n1', 1, 'v1', { startedAt: T0, renewedAt: T0, at: T0 + 5_000, reason: 'displaced' }),
      granted('n1', 2, 'v3', T0 + 5_000),
    ]);

    expect(rows.map((r) => [r.numberId, r.token, r.visitId, r.endedAt, r.endReason])).toEqual([
      ['n1', 1, 'v1', T0 + 5_000, 'displaced'],
      ['n2', 1, 'v2', null, null],
      ['n1', 2, 'v3', null, null],
    ]);
  });

  it('when the batch holds only notes, then there is no lease row', () => {
    expect(foldLeaseEvents([{ type: 'note', poolId: 'pool-1', visitId: 'v1', at: T0, note: '{}' }])).toEqual([]);
  });
});

function runWriteLeaseHistory(createDatabase: () => Promise<TestDatabase>): void {
  let testDb: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    testDb = await createDatabase();
    db = testDb.db;
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  interface StoredLease {
    visitId: string;
    startedAt: number;
    renewedAt: number;
    endedAt: number | null;
    endReason: string | null;
  }

  async function stored(numberId: string): Promise<StoredLease[]> {
    const { rows } = await db.query<{ token: number; visit_id: string; started_at: Date; renewed_at: Date; ended_at: Date | null; end_reason: string | null }>(
      'SELECT token, visit_id, started_at, renewed_at, ended_at, end_reason FROM leases WHERE number_id = $1 ORDER BY token',
      [numberId],
    );
    return rows.map((r) => ({
      visitId: r.visit_id,
      startedAt: new Date(r.started_at).getTime(),
      renewedAt: new Date(r.renewed_at).getTime(),
      endedAt: r.ended_at === null ? null : new Date(r.ended_at).getTime(),
      endReason: r.end_reason,
    }));
  }

  const lease = (numberId: string, over: Partial<LeaseHistoryRow> = {}): LeaseHistoryRow => ({
    poolId: randomUUID(),
    numberId,
    token: 1,
    visitId: 'v1',
    startedAt: T0,
    renewedAt: T0,
    endedAt: null,
    endReason: null,
    ...over,
  });

  it('when a batch is written twice (a replay after a crash), then the second write changes nothing', async () => {
    const numberId = randomUUID();
    const batch = [lease(numberId), lease(numberId, { token: 2, visitId: 'v2', startedAt: T0 + 1_000, renewedAt: T0 + 2_000, endedAt: T0 + 3_000, endReason: 'displaced' })];
    await writeLeaseHistory(db, batch);
    const first = await stored(numberId);

    await writeLeaseHistory(db, batch);

    expect(await stored(numberId)).toEqual(first);
    expect(first).toHaveLength(2);
  });

  it('when the end arrives in a later batch, then the open row is completed with ended_at and the latest renewal', async () => {
    const numberId = randomUUID();
    const poolId = randomUUID();
    await writeLeaseHistory(db, foldLeaseEvents([granted(numberId, 1, 'v1', T0, poolId)]));

    await writeLeaseHistory(db, foldLeaseEvents([ended(numberId, 1, 'v1', { startedAt: T0, renewedAt: T0 + 60_000, at: T0 + 1_860_000 }, poolId)]));

    expect(await stored(numberId)).toEqual([{ visitId: 'v1', startedAt: T0, renewedAt: T0 + 60_000, endedAt: T0 + 1_860_000, endReason: 'expired' }]);
  });

  it('when the grant batch is replayed after the end was written, then the lease stays ended', async () => {
    const numberId = randomUUID();
    const poolId = randomUUID();
    const grant = foldLeaseEvents([granted(numberId, 1, 'v1', T0, poolId)]);
    await writeLeaseHistory(db, grant);
    await writeLeaseHistory(db, foldLeaseEvents([ended(numberId, 1, 'v1', { startedAt: T0, renewedAt: T0 + 60_000, at: T0 + 1_860_000 }, poolId)]));

    await writeLeaseHistory(db, grant);

    expect(await stored(numberId)).toEqual([{ visitId: 'v1', startedAt: T0, renewedAt: T0 + 60_000, endedAt: T0 + 1_860_000, endReason: 'expired' }]);
  });

  it('when there is nothing to write, then no query is needed', async () => {
    const noQueries = { query: jest.fn() };

    await writeLeaseHistory(noQueries, []);

    expect(noQueries.query).not.toHaveBeenCalled();
  });
}

describeWithPostgres('writeLeaseHistory on Postgres', () => runWriteLeaseHistory(createPostgresTestDatabase));
describe('writeLeaseHistory on PGlite', () => runWriteLeaseHistory(createPgliteTestDatabase));
