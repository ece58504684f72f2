import type { CallStore, EventOutcome } from '../call-store';
import type { CallQueue } from './call-queue';
import type { CallWrite } from './call-write';
import { CallWriter } from './call-writer';
import { parseCallWrite, serializeCallWrite } from './call-write';

const WRITE: CallWrite = { kind: 'status', update: { callSid: `CA${'1'.repeat(32)}`, eventKey: 'status:seq:0', status: 'completed', at: new Date(Date.UTC(2026, 10, 30)), durationSeconds: 56 } };

/** A call store whose applyStatus does what the test says; nothing else is used. */
function storeThat(applyStatus: () => Promise<EventOutcome>): CallStore {
  return { applyStatus } as unknown as CallStore;
}

class ListQueue implements CallQueue {
  readonly name = 'list';
  readonly items: CallWrite[] = [];
  constructor(private readonly fails = false) {}
  async append(w: CallWrite) {
    if (this.fails) throw new Error('disk full');
    this.items.push(w);
  }
  async drain() {
    return { applied: 0, deadLettered: 0, interrupted: false };
  }
  async size() {
    return this.items.length;
  }
}

describe('CallWriter', () => {
  it('when Postgres takes the write within the budget, then it is stored and nothing is queued', async () => {
    const queue = new ListQueue();

    expect(await new CallWriter(storeThat(async () => 'applied'), queue, 100).write(WRITE)).toBe('stored');
    expect(await new CallWriter(storeThat(async () => 'duplicate'), queue, 100).write(WRITE)).toBe('duplicate');
    expect(queue.items).toEqual([]);
  });

  it('when Postgres does not answer within the budget, then the write is queued and the answer comes in time', async () => {
    const queue = new ListQueue();
    const started = Date.now();

    const outcome = await new CallWriter(storeThat(() => new Promise(() => undefined)), queue, 50).write(WRITE);

    expect(outcome).toBe('queued');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(queue.items).toEqual([WRITE]);
  });

  it('when Postgres refuses the write, then it is queued rather than lost', async () => {
    const queue = new ListQueue();

    expect(await new CallWriter(storeThat(() => Promise.reject(new Error('Connection terminated'))), queue, 100).write(WRITE)).toBe('queued');
    expect(queue.items).toHaveLength(1);
  });

  it('when neither Postgres nor the queue takes it, then the outcome says it was lost', async () => {
    expect(await new CallWriter(storeThat(() => Promise.reject(new Error('down'))), new ListQueue(true), 100).write(WRITE)).toBe('lost');
  });
});

describe('queued call writes', () => {
  it('when a write is serialised and parsed back, then it is equal, dates included', () => {
    const inbound: CallWrite = {
      kind: 'inbound',
      call: {
        callSid: `CA${'2'.repeat(32)}`, siteId: null, poolId: null, numberId: null, from: '+447700900123', to: '+442079460001', direction: 'inbound',
        status: 'ringing', startedAt: new Date(Date.UTC(2026, 10, 30, 10)), forwardedTo: '+441134960999', visitId: 'v1', attribution: 'lease',
        candidates: [{ visitId: 'v1', leaseToken: 3, endedAt: null }], leaseToken: 3, staticSource: null, needsReattribution: false,
        caller: { name: 'J SMITH', forwardedFrom: null, city: 'LEEDS', state: null, zip: null, country: 'GB', stirVerstat: 'TN-Validation-Passed-A' },
      },
    };

    for (const w of [WRITE, inbound]) expect(parseCallWrite(serializeCallWrite(w))).toEqual(w);
  });

  it.each([
    ['another format version', '{"v":99,"kind":"status","update":{}}'],
    ['an unknown kind', '{"v":1,"kind":"sms"}'],
    ['a missing date', '{"v":1,"kind":"status","update":{"callSid":"CA1"}}'],
    ['a cut-off line', '{"v":1,"kind":"st'],
  ])('when the entry has %s, then parsing refuses it', (_label, text) => {
    expect(() => parseCallWrite(text)).toThrow();
  });
});
