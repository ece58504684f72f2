/** Where the integration tests find this machine's shared Postgres and Redis. */
export const TEST_POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Set by global-setup after probing each service. */
export const hasPostgres = (): boolean => process.env.CT_TEST_HAS_POSTGRES === '1';
export const hasRedis = (): boolean => process.env.CT_TEST_HAS_REDIS === '1';

export function templateDatabaseName(): string {
  const name = process.env.CT_TEST_TEMPLATE_DB;
  if (!name) throw new Error('global-setup did not prepare a template database');
  return name;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
