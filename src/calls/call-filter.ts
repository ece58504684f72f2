/** The filters of the call list and the CSV export: one site or an API key's clients, a time range, a keyset position. */
export interface CallFilter {
  siteId?: string;
  /** Only calls of these clients' sites (an API key's scope); undefined = every client. */
  clientIds?: readonly string[];
  from?: Date;
  to?: Date;
  /** Exclusive position of the previous page's last row. */
  after?: { startedAt: Date; id: string };
}

/**
 * WHERE conditions (on `calls c`) and their parameters for a page of calls in `order` of (started_at, id).
 * Restricted calls are kept but never listed or exported (GDPR art. 18), nor rows no voice webhook
 * completed. The page size is the caller's, as the last parameter: `$${params.length + 1}`.
 */
export function callFilterSql(f: CallFilter, order: 'newest-first' | 'oldest-first'): { where: string; params: unknown[] } {
  const where: string[] = ['c.inbound_recorded', 'NOT c.restricted'];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    where.push(sql.replace(/\$(\d)/g, (_, i: string) => `$${params.length + Number(i)}`));
    params.push(...values);
  };
  if (f.siteId) add('c.site_id = $1', f.siteId);
  if (f.clientIds) add('c.site_id IN (SELECT id FROM sites WHERE client_id = ANY($1::uuid[]))', f.clientIds);
  if (f.from) add('c.started_at >= $1', f.from);
  if (f.to) add('c.started_at < $1', f.to);
  if (f.after) add(`(c.started_at, c.id) ${order === 'newest-first' ? '<' : '>'} ($1, $2::uuid)`, f.after.startedAt, f.after.id);
  return { where: where.join(' AND '), params };
}
