/**
 * Postgres or Redis being down, slow or unreachable is an outage, not a bug: callers retry, queue the
 * work, or answer 503. (Connection-class and resource SQLSTATEs; ioredis and our own timeouts.)
 */
export function isBackendFailure(err: unknown): boolean {
  const e = err as { name?: string; code?: unknown; message?: string };
  if (!e || typeof e !== 'object') return false;
  if (e.name === 'TimeoutError' || e.name === 'MaxRetriesPerRequestError' || e.name === 'ClusterAllFailedError') return true;
  if (typeof e.code === 'string' && /^(08|53|57P|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE)/.test(e.code)) return true;
  return /Connection is closed|Connection terminated|timeout exceeded when trying to connect|Cluster isn't ready|Stream isn't writeable|connect ECONNREFUSED/i.test(e.message ?? '');
}
