import { Pool, types, type PoolClient } from 'pg';
import type { Database, Queryable, QueryResult } from './database';
import { getLogger } from '../shared/logging/logger';

const log = getLogger('db');

// int8 (counts, sums) as JS numbers: our counts stay far below 2^53.
types.setTypeParser(20, (v) => Number(v));
// numeric (averages) as numbers too.
types.setTypeParser(1700, (v) => Number(v));

export interface PgOptions {
  connectionString: string;
  max?: number;
  /** A statement slower than this is cancelled by the server, so a stuck query cannot hold a webhook. */
  statementTimeoutMs?: number;
  connectionTimeoutMillis?: number;
}

async function timed<T>(sql: string, run: () => Promise<QueryResult<T>>): Promise<QueryResult<T>> {
  const started = performance.now();
  try {
    return await run();
  } finally {
    const ms = performance.now() - started;
    // Query text only: parameters may hold personal data.
    if (ms > 200) log.warn('slow query', { ms: Math.round(ms), sql: sql.replace(/\s+/g, ' ').slice(0, 200) });
  }
}

function queryable(run: (sql: string, params?: readonly unknown[]) => Promise<{ rows: unknown[]; rowCount: number | null }>): Queryable {
  return {
    query: <T>(sql: string, params?: readonly unknown[]) =>
      timed(sql, async () => {
        const r = await run(sql, params);
        return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
      }),
  };
}

export class PgDatabase implements Database {
  readonly kind = 'postgres' as const;
  readonly pool: Pool;
  private readonly q: Queryable;

  constructor(opts: PgOptions) {
    this.pool = new Pool({
      connectionString: opts.connectionString,
      max: opts.max ?? 10,
      connectionTimeoutMillis: opts.connectionTimeoutMillis ?? 5000,
      statement_timeout: opts.statementTimeoutMs ?? 10_000,
    });
    // An idle client losing its connection must not crash the process.
    this.pool.on('error', (err) => log.error('idle postgres client error', { error: err }));
    this.q = queryable((sql, params) => this.pool.query(sql, params as unknown[]));
  }

  query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
    return this.q.query<T>(sql, params);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client: PoolClient = await this.pool.connect();
    // A checked-out client is not covered by the pool's 'error' listener: without its own, a connection
    // cut mid-transaction is an unhandled 'error' event and ends the process. The query in flight fails
    // anyway; the broken client is then destroyed rather than returned to the pool.
    let lost: Error | undefined;
    const onError = (err: Error) => {
      lost = err;
      log.warn('postgres connection lost during a transaction', { error: err });
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await fn(queryable((sql, params) => client.query(sql, params as unknown[])));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.off('error', onError);
      client.release(lost);
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
