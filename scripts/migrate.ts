// Applies pending migrations to DATABASE_URL (or the embedded database) and exits.
import { loadConfig } from '../config';
import { configureLogging } from '../src/shared/logging/logger';
import { openDatabase } from '../src/container';
import { migrate } from '../src/db/migrate';

async function main(): Promise<void> {
  const config = loadConfig();
  configureLogging(config.logLevel);
  const db = await openDatabase(config);
  try {
    const applied = await migrate(db);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
