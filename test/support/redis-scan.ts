import type { Cluster, Redis } from 'ioredis';

/**
 * The keys under `prefix` whose name or content contains any of `needles`: proof that erased or
 * expired data (visit ids, phone numbers) is gone from Redis. Reads every value of every type,
 * streams included (XRANGE), so nothing can hide in a structure the test did not think of.
 * On a Redis Cluster every master is scanned.
 */
export async function redisKeysMentioning(redis: Redis | Cluster, prefix: string, needles: string[]): Promise<string[]> {
  const nodes = 'nodes' in redis && typeof redis.nodes === 'function' ? (redis as Cluster).nodes('master') : [redis as Redis];
  const mentioning: string[] = [];
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const content = [key, ...(await valuesOf(node, key))];
        if (content.some((text) => needles.some((needle) => text.includes(needle)))) mentioning.push(key);
      }
    } while (cursor !== '0');
  }
  return [...new Set(mentioning)].sort();
}

async function valuesOf(redis: Redis, key: string): Promise<string[]> {
  switch (await redis.type(key)) {
    case 'string':
      return [(await redis.get(key)) ?? ''];
    case 'hash':
      return Object.entries(await redis.hgetall(key)).flat();
    case 'set':
      return redis.smembers(key);
    case 'zset':
      return redis.zrange(key, '0', '-1', 'WITHSCORES');
    case 'list':
      return redis.lrange(key, 0, -1);
    case 'stream':
      return (await redis.xrange(key, '-', '+')).flatMap(([id, fields]) => [id, ...fields]);
    case 'none':
      return []; // deleted since the scan saw it
    default:
      throw new Error(`redisKeysMentioning cannot read key type of ${key}`);
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
