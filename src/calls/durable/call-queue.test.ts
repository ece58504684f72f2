import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeWithRedis } from '../../../test/support/conditional';
import { connectTestRedis, deleteKeysWithPrefix, uniquePrefix } from '../../../test/support/redis';
import { runCallQueueContract } from './call-queue.contract';
import { FileCallQueue } from './file-call-queue';
import { RedisCallQueue } from './redis-call-queue';

describe('FileCallQueue', () => {
  runCallQueueContract('FileCallQueue', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ct-queue-test-'));
    return {
      queue: new FileCallQueue(dir),
      async appendGarbage(text) {
        writeFileSync(path.join(dir, 'pending.jsonl'), `${text}\n`, { flag: 'a' });
      },
      async deadLetters() {
        const file = path.join(dir, 'dead.jsonl');
        return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
      },
      async close() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });

  it('when the process stops mid-drain, then a new queue on the same folder replays what was not applied', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ct-queue-test-'));
    try {
      const before = new FileCallQueue(dir);
      for (let i = 0; i < 3; i += 1) {
        await before.append({ kind: 'status', update: { callSid: `CA${String(i).padStart(32, '0')}`, eventKey: `status:seq:${i}`, status: 'ringing', at: new Date(0) } });
      }
      await before.drain(async () => {
        throw Object.assign(new Error('Connection terminated unexpectedly'), {});
      });

      const after = new FileCallQueue(dir);
      const seen: string[] = [];
      await after.drain(async (w) => {
        if (w.kind === 'status') seen.push(w.update.eventKey);
      });

      expect(seen).toEqual(['status:seq:0', 'status:seq:1', 'status:seq:2']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when nothing was ever queued, then the folder need not exist', async () => {
    const queue = new FileCallQueue(path.join(tmpdir(), `ct-queue-missing-${process.pid}-${Date.now()}`));

    expect(await queue.size()).toBe(0);
    expect(await queue.drain(async () => undefined)).toEqual({ applied: 0, deadLettered: 0, interrupted: false });
  });
});

describeWithRedis('RedisCallQueue', () => {
  runCallQueueContract('RedisCallQueue', async () => {
    const redis = connectTestRedis();
    const prefix = uniquePrefix('callq');
    return {
      queue: new RedisCallQueue(redis, prefix),
      async appendGarbage(text) {
        await redis.xadd(`${prefix}{call-queue}:pending`, '*', 'w', text);
      },
      async deadLetters() {
        return redis.xlen(`${prefix}{call-queue}:dead`);
      },
      async close() {
        await deleteKeysWithPrefix(redis, prefix);
        redis.disconnect();
      },
    };
  });
});
