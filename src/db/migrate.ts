import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Database } from './database';
import { getLogger } from '../shared/logging/logger';

const log = getLogger('migrate');
export const MIGRATIONS_DIR = path.join(__dirname, 'migrations');
// Any constant works: it only has to be the same for every instance of this service.
const MIGRATION_LOCK_ID = 7_246_001;

/**
 * Applies every migrations/*.sql not yet recorded in schema_migrations, in name order, each in its
 * own transaction. Concurrent starts wait on an advisory lock, so two instances never race.
 */
export async function migrate(db: Database, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
    await tx.query('CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    const done = new Set((await tx.query<{ name: string }>('SELECT name FROM schema_migrations')).rows.map((r) => r.name));
    const applied: string[] = [];
    for (const file of files) {
      if (done.has(file)) continue;
      for (const statement of splitStatements(readFileSync(path.join(dir, file), 'utf8'))) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [file]);
      applied.push(file);
    }
    if (applied.length) log.info('migrations applied', { applied });
    return applied;
  });
}

/**
 * Splits a migration into statements: a semicolon ends a statement when only whitespace follows it on
 * its line. Dollar-quoted bodies (`DO $$ ... $$`, `$fn$ ... $fn$`) are kept whole, whatever they hold.
 * `--` comments are dropped (our migrations put no `--` inside string literals).
 */
export function splitStatements(sql: string): string[] {
  const text = sql.replace(/--[^\n]*/g, '');
  const statements: string[] = [];
  const boundary = /\$([A-Za-z_][A-Za-z0-9_]*)?\$|;[ \t\r]*(?:\n|$)/g;
  let start = 0;
  for (let match = boundary.exec(text); match; match = boundary.exec(text)) {
    if (match[0].startsWith('$')) {
      const close = text.indexOf(match[0], match.index + match[0].length);
      if (close === -1) throw new Error(`Unterminated dollar-quoted body ${match[0]} in migration`);
      boundary.lastIndex = close + match[0].length;
      continue;
    }
    statements.push(text.slice(start, match.index));
    start = boundary.lastIndex;
  }
  statements.push(text.slice(start));
  return statements.map((s) => s.trim()).filter(Boolean);
}
