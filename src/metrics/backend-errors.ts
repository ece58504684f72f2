import type { ErrorRequestHandler } from 'express';
import { Cluster, type Redis } from 'ioredis';
import type { Database } from '../db/database';
import { PgDatabase } from '../db/pg-database';
import { isBackendFailure } from '../shared/backend-failure';

/** 'unknown': a backend failure whose shape does not say which (a refused connection, a timeout of ours). */
export type Backend = 'postgres' | 'redis' | 'unknown';

export interface BackendErrorCounter {
  backendError(backend: Backend): void;
}

/** Which backend a failure came from, as far as its shape tells; null when it is no backend failure. */
export function failedBackend(err: unknown): Backend | null {
  if (!isBackendFailure(err)) return null;
  const e = err as { name?: string; code?: unknown; message?: string };
  const message = e.message ?? '';
  // Connection-class and resource SQLSTATEs; node-postgres's own connection messages.
  if ((typeof e.code === 'string' && /^(08|53|57P)/.test(e.code)) || /Connection terminated|timeout exceeded when trying to connect/i.test(message)) return 'postgres';
  if (e.name === 'MaxRetriesPerRequestError' || e.name === 'ClusterAllFailedError' || /Connection is closed|Cluster isn't ready|Stream isn't writeable/i.test(message)) return 'redis';
  // withTimeout('pool store'): the visit path's lease, which only a Redis pool store can make wait.
  if (e.name === 'TimeoutError' && message.startsWith('pool store ')) return 'redis';
  return 'unknown';
}

/** Counts a backend failure that reached the error handler (it answers 503); passes the error on. */
export function countFailedBackends(metrics: BackendErrorCounter): ErrorRequestHandler {
  return (err, _req, _res, next) => {
    const backend = failedBackend(err);
    if (backend) metrics.backendError(backend);
    next(err);
  };
}

/** Counts the connection errors Postgres and Redis clients emit (an idle client dropped, a reconnect failing). */
export function countConnectionErrors(metrics: BackendErrorCounter, db: Database, redis?: Redis | Cluster): void {
  if (db instanceof PgDatabase) db.pool.on('error', () => metrics.backendError('postgres'));
  if (!redis) return;
  redis.on('error', () => metrics.backendError('redis'));
  if (redis instanceof Cluster) redis.on('node error', () => metrics.backendError('redis'));
}
