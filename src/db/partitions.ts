import type { Database, Queryable } from './database';

/**
 * Monthly partitions of the activity tables (migration 007): `<table>_YYYY_MM` holds the rows whose
 * time column falls in that calendar month (UTC), `<table>_default` whatever no month takes. The
 * partition-maintenance job keeps this month's and the coming months' partitions ready; retention drops
 * whole months once they are past every site's retention (src/privacy/retention).
 */
export interface PartitionedTable {
  table: 'visits' | 'page_views';
  /** The partition key. */
  column: 'started_at' | 'viewed_at';
}

export const ACTIVITY_TABLES: readonly PartitionedTable[] = [
  { table: 'visits', column: 'started_at' },
  { table: 'page_views', column: 'viewed_at' },
];

/** Partitions kept ready beyond the current month (the migration creates as many). */
export const MONTHS_AHEAD = 2;
/** DDL waits at most this long for a table lock, so it never queues the service's queries for long. */
const LOCK_TIMEOUT = '3s';

export interface MonthPartition {
  table: PartitionedTable['table'];
  name: string;
  /** Inclusive lower bound: the first instant of the month, UTC. */
  from: Date;
  /** Exclusive upper bound: the first instant of the next month. */
  to: Date;
}

const monthStart = (year: number, monthIndex: number): Date => new Date(Date.UTC(year, monthIndex, 1));

/** The partition of `table` that holds `at`. */
export function monthPartition(table: PartitionedTable['table'], at: Date): MonthPartition {
  const year = at.getUTCFullYear();
  const month = at.getUTCMonth();
  return { table, name: `${table}_${year}_${String(month + 1).padStart(2, '0')}`, from: monthStart(year, month), to: monthStart(year, month + 1) };
}

/** This month's partition of `table` and the `monthsAhead` after it. */
export function comingPartitions(table: PartitionedTable['table'], now: Date, monthsAhead = MONTHS_AHEAD): MonthPartition[] {
  return Array.from({ length: monthsAhead + 1 }, (_, i) => monthPartition(table, monthStart(now.getUTCFullYear(), now.getUTCMonth() + i)));
}

/** The monthly partitions `table` has now (the DEFAULT partition is not one of them), oldest first. */
export async function listMonthPartitions(db: Queryable, table: PartitionedTable['table']): Promise<MonthPartition[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = $1::regclass ORDER BY c.relname`,
    [table],
  );
  const pattern = new RegExp(`^${table}_(\\d{4})_(\\d{2})$`);
  return rows.flatMap(({ name }) => {
    const match = pattern.exec(name);
    return match ? [monthPartition(table, monthStart(Number(match[1]), Number(match[2]) - 1))] : [];
  });
}

/**
 * Creates whichever of this month's and the next `monthsAhead` months' partitions are missing, for
 * every activity table; idempotent. Rows of such a month that already landed in the DEFAULT partition
 * are moved into the new partition in the same transaction. Returns the partitions created.
 */
export async function ensureActivityPartitions(db: Database, now: Date, monthsAhead = MONTHS_AHEAD): Promise<string[]> {
  const created: string[] = [];
  for (const { table, column } of ACTIVITY_TABLES) {
    const existing = new Set((await listMonthPartitions(db, table)).map((p) => p.name));
    for (const partition of comingPartitions(table, now, monthsAhead)) {
      if (existing.has(partition.name)) continue;
      await createPartition(db, partition, column);
      created.push(partition.name);
    }
  }
  return created;
}

/**
 * Built beside the table and then attached, rather than `CREATE TABLE ... PARTITION OF`, which fails
 * when the DEFAULT partition holds rows of the month: those are moved in first.
 */
async function createPartition(db: Database, p: MonthPartition, column: PartitionedTable['column']): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
    await tx.query(`CREATE TABLE "${p.name}" (LIKE "${p.table}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    await tx.query(
      `WITH moved AS (DELETE FROM "${p.table}_default" WHERE ${column} >= $1 AND ${column} < $2 RETURNING *)
       INSERT INTO "${p.name}" SELECT * FROM moved`,
      [p.from, p.to],
    );
    await tx.query(`ALTER TABLE "${p.table}" ATTACH PARTITION "${p.name}" FOR VALUES FROM ('${p.from.toISOString()}') TO ('${p.to.toISOString()}')`);
  });
}

/** The partitions whose whole month ended at or before `cutoff`. */
export function partitionsEndedBy(partitions: readonly MonthPartition[], cutoff: Date): MonthPartition[] {
  return partitions.filter((p) => p.to.getTime() <= cutoff.getTime());
}

export type DropOutcome =
  | { outcome: 'dropped'; rows: number }
  /** `prepare` decided the partition must stay (some of its rows are still needed). */
  | { outcome: 'kept' }
  /** A table lock was not granted in time (queries or writes were using the table): try again later. */
  | { outcome: 'busy' };

/**
 * Drops one monthly partition in a transaction: blocks writes to it, lets `prepare` act on its rows
 * first (or keep it by returning false), counts the rows and drops it. The parent table is locked only
 * for the drop itself, and never for more than LOCK_TIMEOUT.
 */
export async function dropPartition(db: Database, partition: MonthPartition, prepare: (tx: Queryable) => Promise<boolean> = async () => true): Promise<DropOutcome> {
  try {
    return await db.transaction(async (tx): Promise<DropOutcome> => {
      await tx.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
      await tx.query(`LOCK TABLE "${partition.name}" IN SHARE MODE`);
      if (!(await prepare(tx))) return { outcome: 'kept' };
      const { rows } = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${partition.name}"`);
      await tx.query(`DROP TABLE "${partition.name}"`);
      return { outcome: 'dropped', rows: rows[0].n };
    });
  } catch (err) {
    if (isLockConflict(err)) return { outcome: 'busy' };
    throw err;
  }
}

/** lock_not_available (lock_timeout) or deadlock_detected (a late write into the partition). */
function isLockConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '55P03' || code === '40P01';
}
