import os from 'node:os';
import type Redis from 'ioredis';
import { withClient } from './resources';

export async function machineFacts(redis: Redis, databaseUrl: string): Promise<string[]> {
  const redisVersion = /^redis_version:(\S+)/m.exec(await redis.info('server'))?.[1];
  const pgVersion = await withClient(databaseUrl, async (c) => (await c.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version);
  return [
    `machine: ${os.cpus().length} cores (nproc), ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    `node ${process.version}, Redis ${redisVersion}, PostgreSQL ${pgVersion}`,
    loadLine('at start'),
  ];
}

/** Other work on the machine takes cores from the servers under test and skews every figure. */
export function loadLine(when: string, warn = true): string {
  const [one, five] = os.loadavg();
  const busy = warn && one > os.cpus().length / 2 ? ' -- the machine is busy with other work: throughput and latency are understated' : '';
  return `load average ${when}: ${one.toFixed(2)} (1 min), ${five.toFixed(2)} (5 min)${busy}`;
}
