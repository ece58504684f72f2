import { randomBytes } from 'node:crypto';
import type { Queryable } from '../../src/db/database';

/**
 * Rows that store tests need to exist (foreign keys), written with plain SQL so a store's test does not
 * depend on another store. Names and keys are unique, so tests sharing one database never collide.
 */
export async function seedSite(db: Queryable): Promise<string> {
  const client = await db.query<{ id: string }>("INSERT INTO clients (name) VALUES ('Store Test Ltd') RETURNING id");
  const site = await db.query<{ id: string }>('INSERT INTO sites (client_id, name, site_key) VALUES ($1, $2, $3) RETURNING id', [
    client.rows[0].id,
    'Store test site',
    `sk_${randomBytes(8).toString('hex')}`,
  ]);
  return site.rows[0].id;
}

/** A pool of `siteId` forwarding to `forwardTo` (the client's own line). */
export async function seedPool(db: Queryable, siteId: string, forwardTo: string): Promise<string> {
  const pool = await db.query<{ id: string }>(
    `INSERT INTO pools (site_id, name, forward_to, lease_seconds, grace_seconds, cooldown_seconds)
     VALUES ($1, 'Main', $2, 1800, 900, 900) RETURNING id`,
    [siteId, forwardTo],
  );
  return pool.rows[0].id;
}
