import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { Database, Queryable, QueryResult } from './database';

/**
 * Embedded Postgres (PGlite: Postgres compiled to WebAssembly) for single-instance mode and tests.
 * dataDir undefined = in memory. PGlite serialises queries itself, so one instance is one connection.
 */
export class PgliteDatabase implements Database {
  readonly kind = 'pglite' as const;

  private constructor(private readonly db: PGlite) {}

  static async open(dataDir?: string): Promise<PgliteDatabase> {
    const { PGlite } = await import('@electric-sql/pglite');
    const db = await PGlite.create(dataDir ? { dataDir } : {});
    // Same int8/numeric handling as the node-postgres driver.
    return new PgliteDatabase(db);
  }

  private static async run<T>(target: PGlite | Transaction, sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
    const r = await target.query<T>(sql, params ? [...params] : undefined);
    const rows = r.rows.map((row) => normaliseRow(row as Record<string, unknown>)) as T[];
    return { rows, rowCount: r.affectedRows ?? rows.length };
  }

  query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
    return PgliteDatabase.run<T>(this.db, sql, params);
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn({ query: <R>(sql: string, params?: readonly unknown[]) => PgliteDatabase.run<R>(tx, sql, params) }));
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }

  async close(): Promise<void> {
    if (!this.db.closed) await this.db.close();
  }
}

/** PGlite returns int8 as bigint; node-postgres is configured to return numbers. Make them agree. */
function normaliseRow(row: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(row)) if (typeof v === 'bigint') row[k] = Number(v);
  return row;
}
