import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type Redis from 'ioredis';

export interface BenchDatabase {
  url: string;
  /** True when the bench created it and drops it at the end. */
  private: boolean;
  drop(): Promise<void>;
}

/** A database of our own on the given server, so a run never touches anyone's data and leaves nothing behind. */
export async function createPrivateDatabase(serverUrl: string, stem = 'ct_bench'): Promise<BenchDatabase> {
  const name = `${stem}_${randomBytes(6).toString('hex')}`;
  await withClient(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    private: true,
    async drop() {
      if (dropped) return;
      dropped = true;
      // FORCE: a child that was SIGKILLed may leave connections the server has not noticed yet.
      await withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

export function existingDatabase(url: string): BenchDatabase {
  return { url, private: false, drop: async () => undefined };
}

export async function withClient<T>(url: string, work: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A prefix no other user of a shared Redis has: the run deletes exactly the keys under it. */
export const uniqueRedisPrefix = (stem = 'ctbench'): string => `${stem}_${randomBytes(6).toString('hex')}:`;

/** Deletes the keys under our own prefix (SCAN + UNLINK), never FLUSHDB/FLUSHALL on a shared server. */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<number> {
  if (!/^[A-Za-z0-9_:-]+$/.test(prefix)) throw new Error(`refusing to delete keys under an unusual prefix: ${prefix}`);
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
