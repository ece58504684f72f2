import { poolSettings } from '../../src/pool/pool-config-store';
import type { PoolSettings } from '../../src/pool/pool-store';
import type { TestApp } from '../support/test-app';

/** Comparable strings: one per table ("rows:md5 of the rows"), or one per pool and pooled number. */
export type DataFingerprint = Record<string, string>;

/** Everything kept, as of one moment: the write count, every table hashed, the watched pool's state. */
export interface DataState {
  writes: string;
  tables: DataFingerprint;
  pool: DataFingerprint;
}

const WRITE_COUNTER = 'fuzz_write_counter';

/**
 * Notices when anything the service keeps has changed: every table of the database (row count and an
 * md5 over its rows in a stable order) and one pool's stats and holders in the pool store (a heartbeat
 * renews a lease there without touching Postgres).
 *
 * Hashing every table is too slow to do after each of thousands of requests, so each table also gets
 * a statement trigger that bumps a sequence: when the sequence has not moved, no statement has written
 * to any table and the hashes cannot have changed. A sequence rather than a counter row because it
 * takes no lock (a counter row could deadlock two transactions of one request) and is not rolled back,
 * so a write that was undone still makes the watch look (and then find the hashes equal).
 *
 * The write buffers (lease history, page views) are flushed before every reading, and audit entries
 * (written after the response) are waited for, so what a request left behind is seen as its doing.
 */
export class DataWatch {
  private pooled: { settings: PoolSettings; numberIds: string[] } | null = null;
  /** Audit entries being written: an accepted admin write records its entry after the response has gone. */
  private readonly auditWrites = new Set<Promise<void>>();

  private constructor(
    private readonly t: TestApp,
    private readonly tablesQuery: string,
    private readonly poolId: string,
  ) {}

  /** Installs the triggers on the app's own (throwaway) database. */
  static async install(t: TestApp, watchedPoolId: string): Promise<DataWatch> {
    const db = t.container.db;
    const { rows } = await db.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
    );
    if (rows.length === 0) throw new Error('no tables to watch');
    await db.query(`CREATE SEQUENCE ${WRITE_COUNTER}`);
    await db.query(`CREATE FUNCTION ${WRITE_COUNTER}_bump() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM nextval('${WRITE_COUNTER}'); RETURN NULL; END $$`);
    const parts: string[] = [];
    for (const { table_name: name } of rows) {
      const ident = `"${name.replace(/"/g, '""')}"`;
      await db.query(`CREATE TRIGGER ${WRITE_COUNTER}_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${ident} FOR EACH STATEMENT EXECUTE FUNCTION ${WRITE_COUNTER}_bump()`);
      parts.push(`SELECT '${name.replace(/'/g, "''")}' AS name, count(*)::int AS rows, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS md5 FROM ${ident} t`);
    }
    const watch = new DataWatch(t, parts.join(' UNION ALL '), watchedPoolId);
    watch.trackAuditWrites();
    return watch;
  }

  private trackAuditWrites(): void {
    const audit = this.t.container.privacy.audit;
    const record = audit.record.bind(audit);
    audit.record = (...args) => {
      const write = record(...args);
      this.auditWrites.add(write);
      const forget = () => void this.auditWrites.delete(write);
      write.then(forget, forget);
      return write;
    };
  }

  /**
   * Reads everything afresh once nothing is being written any more: after the audit entries in flight,
   * the write count must hold still across the reading and a short wait. Given the state before an
   * accepted request that wrote nothing (a read), its table hashes are kept rather than computed again.
   */
  async settle(previous?: DataState): Promise<DataState> {
    const pool = await this.t.container.stores.pools.findById(this.poolId);
    this.pooled = pool ? { settings: poolSettings(pool), numberIds: (await this.t.container.stores.numbers.listByPool(pool.id)).map((n) => n.id) } : null;
    for (let attempt = 0; attempt < 50; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, attempt === 0 ? 1 : 10));
      await Promise.allSettled([...this.auditWrites]);
      const writes = await this.writes();
      const tables = previous && previous.writes === writes ? previous.tables : await this.tables();
      const state = { writes, tables, pool: await this.poolState() };
      if ((await this.writes()) === writes) return state;
    }
    throw new Error('the data kept changing with no request in flight');
  }

  /**
   * What changed since `before` (as "key: before -> after"), and the state now. Cheap when nothing was
   * written: the tables are hashed again only if a statement wrote to one. The pool's settings and
   * numbers are those of the last settle() (only an accepted request may change them).
   */
  async changesSince(before: DataState): Promise<{ changes: string[]; now: DataState }> {
    const pool = await this.poolState();
    const writes = await this.writes();
    const tables = writes === before.writes ? before.tables : await this.tables();
    return { changes: [...fingerprintChanges(before.tables, tables), ...fingerprintChanges(before.pool, pool)], now: { writes, tables, pool } };
  }

  /** How many writing statements have run so far (after flushing the write buffers). */
  private async writes(): Promise<string> {
    await this.flushBuffers();
    const { rows } = await this.t.container.db.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text, is_called FROM ${WRITE_COUNTER}`);
    return rows[0].is_called ? rows[0].last_value : '0';
  }

  private async tables(): Promise<DataFingerprint> {
    await this.flushBuffers();
    const fingerprint: DataFingerprint = {};
    const { rows } = await this.t.container.db.query<{ name: string; rows: number; md5: string }>(this.tablesQuery);
    for (const r of rows) fingerprint[`table ${r.name}`] = `${r.rows}:${r.md5}`;
    return fingerprint;
  }

  private async poolState(): Promise<DataFingerprint> {
    if (!this.pooled) return {};
    const { settings, numberIds } = this.pooled;
    const now = this.t.clock.now();
    const fingerprint: DataFingerprint = { [`pool ${settings.poolId}`]: JSON.stringify(await this.t.container.poolStore.stats(settings, now)) };
    for (const id of numberIds) fingerprint[`number ${id}`] = JSON.stringify(await this.t.container.poolStore.holders(settings, id, now));
    return fingerprint;
  }

  private async flushBuffers(): Promise<void> {
    await Promise.all([this.t.container.leaseHistory.flush(), this.t.container.pageViews.flush()]);
  }
}

function fingerprintChanges(before: DataFingerprint, after: DataFingerprint): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).map((k) => `${k}: ${before[k] ?? '(none)'} -> ${after[k] ?? '(none)'}`);
}
