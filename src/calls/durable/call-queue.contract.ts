import { randomBytes } from 'node:crypto';
import type { CallQueue } from './call-queue';
import type { CallWrite } from './call-write';

/**
 * What every durable call queue must do, whatever holds the writes: keep them in order until they are
 * applied, never forget one that was not, and set aside (not retry forever) one that can never apply.
 */
export interface CallQueueFixture {
  queue: CallQueue;
  /** Appends text that is not a queued write, as a crash mid-write or an old format would leave. */
  appendGarbage(text: string): Promise<void>;
  deadLetters(): Promise<number>;
  close(): Promise<void>;
}

const status = (n: number): CallWrite => ({
  kind: 'status',
  update: { callSid: `CA${randomBytes(16).toString('hex')}`, eventKey: `status:seq:${n}`, status: 'completed', at: new Date(Date.UTC(2026, 10, 30, 10, 0, n)), durationSeconds: n },
});
const backendDown = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

export function runCallQueueContract(name: string, open: () => Promise<CallQueueFixture>): void {
  describe(`${name} honours the CallQueue contract`, () => {
    let f: CallQueueFixture;
    beforeEach(async () => {
      f = await open();
    });
    afterEach(async () => {
      await f.close();
    });

    const drainAll = async () => {
      const seen: CallWrite[] = [];
      const result = await f.queue.drain(async (w) => {
        seen.push(w);
      });
      return { seen, result };
    };

    it('when writes are appended, then a drain applies them oldest first with their dates intact and empties the queue', async () => {
      const writes = [status(1), status(2), status(3)];
      for (const w of writes) await f.queue.append(w);

      expect(await f.queue.size()).toBe(3);
      const { seen, result } = await drainAll();

      expect(seen).toEqual(writes);
      expect(result).toEqual({ applied: 3, deadLettered: 0, interrupted: false });
      expect(await f.queue.size()).toBe(0);
      expect((await drainAll()).seen).toEqual([]);
    });

    it('when the database fails mid-drain, then the drain stops and the rest are applied next time, none lost or repeated', async () => {
      const writes = [status(1), status(2), status(3), status(4)];
      for (const w of writes) await f.queue.append(w);
      const applied: CallWrite[] = [];
      let calls = 0;

      const first = await f.queue.drain(async (w) => {
        calls += 1;
        if (calls === 3) throw backendDown();
        applied.push(w);
      });
      const second = await f.queue.drain(async (w) => {
        applied.push(w);
      });

      expect(first).toMatchObject({ applied: 2, interrupted: true });
      expect(second).toMatchObject({ applied: 2, interrupted: false });
      expect(applied).toEqual(writes);
      expect(await f.queue.size()).toBe(0);
    });

    it('when a write can never apply (not a backend failure), then it is dead-lettered and the others go through', async () => {
      const writes = [status(1), status(2), status(3)];
      for (const w of writes) await f.queue.append(w);
      const applied: CallWrite[] = [];

      const result = await f.queue.drain(async (w) => {
        if (w.kind === 'status' && w.update.eventKey === 'status:seq:2') throw new Error('invalid input syntax');
        applied.push(w);
      });

      expect(result).toEqual({ applied: 2, deadLettered: 1, interrupted: false });
      expect(applied).toEqual([writes[0], writes[2]]);
      expect(await f.deadLetters()).toBe(1);
    });

    it('when the queue holds an unreadable entry, then it is dead-lettered and the readable ones are applied', async () => {
      await f.queue.append(status(1));
      await f.appendGarbage('{"v":1,"kind":"status","upd');
      await f.queue.append(status(2));

      const { seen, result } = await drainAll();

      expect(seen).toHaveLength(2);
      expect(result).toMatchObject({ applied: 2, deadLettered: 1 });
    });

    it('when writes are appended while a drain runs, then none is lost', async () => {
      for (let i = 0; i < 5; i += 1) await f.queue.append(status(i));
      const applied: CallWrite[] = [];
      const late: CallWrite[] = [];

      await f.queue.drain(async (w) => {
        applied.push(w);
        if (late.length < 3) {
          const extra = status(100 + late.length);
          late.push(extra);
          await f.queue.append(extra);
        }
      });
      await f.queue.drain(async (w) => {
        applied.push(w);
      });

      expect(applied).toHaveLength(8);
      expect(applied).toEqual(expect.arrayContaining(late));
      expect(await f.queue.size()).toBe(0);
    });
  });
}
