import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PgDatabase } from '../../src/db/pg-database';
import type { Database } from '../../src/db/database';
import { SqlCallStore, type CallStore, type InboundCall } from '../../src/calls/call-store';
import { CallReattribution } from '../../src/calls/call-reattribution';
import { CallWriter } from '../../src/calls/durable/call-writer';
import { FileCallQueue } from '../../src/calls/durable/file-call-queue';
import { buildCallIntegrations, type CallIntegrations } from '../../src/integrations/call-integrations';
import type { OutboundRequest } from '../../src/integrations/delivery-target';
import { forgetCallEvents } from '../../src/integrations/call-outbox';
import { DeliverySender } from '../../src/integrations/delivery-sender';
import { WebhookTarget } from '../../src/integrations/webhook-target';
import { ATTEMPT_TIMEOUT_MS } from '../../src/integrations/webhook-http';
import { createPgliteTestDatabase, createPostgresTestDatabase, type TestDatabase } from '../support/databases';
import { describeWithPostgres } from '../support/conditional';
import { seedPool, seedSite } from '../support/sql-seed';
import { testCipher } from '../support/personal-data';
import { TestClock } from '../support/test-app';

/**
 * The call outbox (issue 8): events are written in the transaction of the call write that causes them,
 * exactly once per call and type; the dispatcher turns them into deliveries once, however often and
 * however many instances run it; the sender never sends one attempt twice.
 */

const T0 = new Date('2026-11-30T10:00:00.000Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const newSid = () => `CA${randomBytes(16).toString('hex')}`;

interface World {
  testDb: TestDatabase;
  db: Database;
  store: SqlCallStore;
  integrations: CallIntegrations;
  posted: OutboundRequest[];
  clock: TestClock;
  siteId: string;
  poolId: string;
  endpointId: string;
}

async function openWorld(create: () => Promise<TestDatabase>): Promise<World> {
  const testDb = await create();
  const { db } = testDb;
  const store = new SqlCallStore(db, testCipher());
  const clock = new TestClock(T0.getTime());
  const posted: OutboundRequest[] = [];
  const integrations = buildCallIntegrations({ db, calls: store, cipher: testCipher(), clock, allowPrivateUrls: true, post: async (r) => (posted.push(r), { kind: 'response', statusCode: 200 }) });
  const siteId = await seedSite(db);
  const poolId = await seedPool(db, siteId, '+441134960999');
  const { rows } = await db.query<{ client_id: string }>('SELECT client_id FROM sites WHERE id = $1', [siteId]);
  const endpoint = await integrations.endpoints.create({ clientId: rows[0].client_id, url: 'https://hooks.example.test/calls', events: ['call.started', 'call.completed', 'call.attributed'], description: null, secret: 'whsec_outbox_test', now: T0 });
  return { testDb, db, store, integrations, posted, clock, siteId, poolId, endpointId: (endpoint as { id: string }).id };
}

function inbound(w: World, over: Partial<InboundCall> = {}): InboundCall {
  return {
    callSid: newSid(),
    siteId: w.siteId,
    poolId: w.poolId,
    numberId: null,
    from: '+442079460150',
    to: '+442079460001',
    direction: 'inbound',
    status: 'ringing',
    startedAt: T0,
    forwardedTo: '+441134960999',
    visitId: `vs_${randomBytes(8).toString('hex')}`,
    attribution: 'lease',
    candidates: [],
    leaseToken: 1,
    staticSource: null,
    needsReattribution: false,
    ...over,
  };
}

async function outboxOf(w: World, callSid: string): Promise<string[]> {
  const { rows } = await w.db.query<{ type: string }>('SELECT type FROM call_outbox WHERE call_sid = $1 ORDER BY id', [callSid]);
  return rows.map((r) => r.type);
}

function outboxSuite(name: string, create: () => Promise<TestDatabase>) {
  describe(name, () => {
    let w: World;
    beforeAll(async () => {
      w = await openWorld(create);
    });
    afterAll(async () => {
      await w?.testDb.drop();
    });

    it('when the voice webhook is recorded, then call.started and call.attributed are written with it, and a retried webhook writes nothing more', async () => {
      const call = inbound(w);

      expect(await w.store.recordInbound(call)).toBe('applied');
      expect(await w.store.recordInbound({ ...call, attribution: 'none', visitId: null })).toBe('duplicate');

      expect(await outboxOf(w, call.callSid)).toEqual(['call.started', 'call.attributed']);
    });

    it('when a call is not credited to a visit, or has no site, then it gets no call.attributed (and without a site, no event at all)', async () => {
      const unattributed = inbound(w, { attribution: 'none', visitId: null, leaseToken: null });
      const noSite = inbound(w, { siteId: null, poolId: null });

      await w.store.recordInbound(unattributed);
      await w.store.recordInbound(noSite);

      expect(await outboxOf(w, unattributed.callSid)).toEqual(['call.started']);
      expect(await outboxOf(w, noSite.callSid)).toEqual([]);
    });

    it('when the call reaches a final status, then call.completed is written once, whatever follows', async () => {
      const call = inbound(w);
      await w.store.recordInbound(call);

      await w.store.applyStatus({ callSid: call.callSid, eventKey: 'status:seq:0', status: 'in-progress', at: at(5) });
      await w.store.applyStatus({ callSid: call.callSid, eventKey: 'status:seq:1', status: 'completed', at: at(60), durationSeconds: 55 });
      expect(await w.store.applyStatus({ callSid: call.callSid, eventKey: 'status:seq:1', status: 'completed', at: at(60) })).toBe('duplicate');
      await w.store.applyStatus({ callSid: call.callSid, eventKey: 'status:completed', status: 'completed', at: at(61) });

      expect(await outboxOf(w, call.callSid)).toEqual(['call.started', 'call.attributed', 'call.completed']);
      const { rows } = await w.db.query<{ occurred_at: Date }>("SELECT occurred_at FROM call_outbox WHERE call_sid = $1 AND type = 'call.completed'", [call.callSid]);
      expect(rows[0].occurred_at).toEqual(at(60));
    });

    it('when the final status arrives before the voice webhook, then call.completed is written when the voice webhook completes the row', async () => {
      const call = inbound(w);

      await w.store.applyStatus({ callSid: call.callSid, eventKey: 'status:seq:3', status: 'completed', at: at(60) });
      expect(await outboxOf(w, call.callSid)).toEqual([]);
      await w.store.recordInbound(call);

      expect((await outboxOf(w, call.callSid)).sort()).toEqual(['call.attributed', 'call.completed', 'call.started']);
    });

    it('when anything in the call write fails after its event was written, then neither the call nor the event is kept', async () => {
      // Arrange: the outbox refuses call.attributed, after calls and call.started were written in the same transaction.
      await w.db.query(`CREATE FUNCTION refuse_attributed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.type = 'call.attributed' THEN RAISE EXCEPTION 'refused by test'; END IF; RETURN NEW; END $$`);
      await w.db.query('CREATE TRIGGER refuse_attributed BEFORE INSERT ON call_outbox FOR EACH ROW EXECUTE FUNCTION refuse_attributed()');
      const call = inbound(w);

      try {
        // Act
        await expect(w.store.recordInbound(call)).rejects.toThrow('refused by test');
      } finally {
        await w.db.query('DROP TRIGGER refuse_attributed ON call_outbox');
        await w.db.query('DROP FUNCTION refuse_attributed()');
      }

      // Assert: all or nothing; the webhook's retry then writes both.
      expect((await w.db.query('SELECT 1 FROM calls WHERE call_sid = $1', [call.callSid])).rowCount).toBe(0);
      expect(await outboxOf(w, call.callSid)).toEqual([]);
      expect(await w.store.recordInbound(call)).toBe('applied');
      expect(await outboxOf(w, call.callSid)).toEqual(['call.started', 'call.attributed']);
    });

    it('when call writes were queued while Postgres was down, then draining the queue writes their events too', async () => {
      // Arrange: a store that does not answer, then the real one.
      const dir = mkdtempSync(path.join(tmpdir(), 'ct-outbox-queue-'));
      try {
        const queue = new FileCallQueue(dir);
        const down = { recordInbound: () => Promise.reject(new Error('connection refused')), applyStatus: () => Promise.reject(new Error('connection refused')) } as unknown as CallStore;
        const call = inbound(w);
        const whileDown = new CallWriter(down, queue, 100);
        expect(await whileDown.write({ kind: 'inbound', call })).toBe('queued');
        expect(await whileDown.write({ kind: 'status', update: { callSid: call.callSid, eventKey: 'status:seq:1', status: 'completed', at: at(60) } })).toBe('queued');
        expect(await outboxOf(w, call.callSid)).toEqual([]);

        // Act
        const drained = await new CallWriter(w.store, queue, 100).drain();

        // Assert
        expect(drained.applied).toBe(2);
        expect(await outboxOf(w, call.callSid)).toEqual(['call.started', 'call.attributed', 'call.completed']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('when a call put through unattributed is credited later from the lease history, then call.attributed is written then, once', async () => {
      // Arrange: the pool store could not be asked; the lease history shows a visit holding the number.
      const numberId = randomUUID();
      const visitId = `vs_${randomBytes(8).toString('hex')}`;
      await w.db.query('INSERT INTO leases (pool_id, number_id, token, visit_id, started_at, renewed_at) VALUES ($1, $2, 7, $3, $4, $4)', [w.poolId, numberId, visitId, at(-120)]);
      const call = inbound(w, { numberId, attribution: 'none', visitId: null, leaseToken: null, needsReattribution: true });
      await w.store.recordInbound(call);
      expect(await outboxOf(w, call.callSid)).toEqual(['call.started']);

      // Act
      await new CallReattribution(w.db, () => at(300)).run();
      await new CallReattribution(w.db, () => at(400)).run();

      // Assert
      expect(await outboxOf(w, call.callSid)).toEqual(['call.started', 'call.attributed']);
      const { rows } = await w.db.query<{ occurred_at: Date }>("SELECT occurred_at FROM call_outbox WHERE call_sid = $1 AND type = 'call.attributed'", [call.callSid]);
      expect(rows[0].occurred_at).toEqual(at(300));
    });

    it('when the dispatcher runs twice, then each event becomes one delivery per subscribed endpoint, and the sender sends each once', async () => {
      // Arrange: everything the earlier tests wrote is waiting in the outbox.
      const waiting = (await w.db.query<{ n: number }>('SELECT count(*)::int AS n FROM call_outbox WHERE dispatched_at IS NULL')).rows[0].n;
      expect(waiting).toBeGreaterThan(5);

      // Act
      const first = await w.integrations.dispatcher.run();
      const second = await w.integrations.dispatcher.run();
      const sent = await w.integrations.sender.run();
      const again = await w.integrations.sender.run();

      // Assert
      expect(first).toEqual({ events: waiting, deliveries: waiting });
      expect(second).toEqual({ events: 0, deliveries: 0 });
      expect(sent).toEqual({ attempted: waiting, delivered: waiting });
      expect(again).toEqual({ attempted: 0, delivered: 0 });
      expect(new Set(w.posted.map((p) => p.headers['Calltracking-Delivery'])).size).toBe(waiting);
      const { rows } = await w.db.query<{ n: number }>("SELECT count(*)::int AS n FROM deliveries WHERE target_id = $1 AND status = 'delivered' AND attempts = 1", [w.endpointId]);
      expect(rows[0].n).toBe(waiting);
    });

    it('when deliveries are read back, then their bodies are sealed at rest', async () => {
      const { rows } = await w.db.query<{ body_sealed: string }>('SELECT body_sealed FROM deliveries LIMIT 5');
      expect(rows.length).toBeGreaterThan(0);
      for (const r of rows) {
        expect(r.body_sealed).toMatch(/^pd1\./);
        expect(r.body_sealed).not.toContain('+442079460150');
      }
    });
  });
}

outboxSuite('the call outbox on PGlite', createPgliteTestDatabase);
describeWithPostgres('the call outbox on Postgres', () => outboxSuite('single instance', createPostgresTestDatabase));

describeWithPostgres('the call outbox with several instances on Postgres', () => {
  let w: World;
  let others: Database[] = [];
  beforeAll(async () => {
    w = await openWorld(createPostgresTestDatabase);
    others = [new PgDatabase({ connectionString: w.testDb.url as string, max: 3 }), new PgDatabase({ connectionString: w.testDb.url as string, max: 3 })];
  });
  afterAll(async () => {
    await Promise.all(others.map((d) => d.close()));
    await w?.testDb.drop();
  });

  it('when two dispatchers and then two senders run at the same time, then every event is dispatched once and every delivery sent once', async () => {
    // Arrange: 150 calls (450 events: more than one batch) waiting in the outbox.
    for (let i = 0; i < 150; i += 1) {
      const call = inbound(w);
      await w.store.recordInbound(call);
      await w.store.applyStatus({ callSid: call.callSid, eventKey: 'status:seq:1', status: 'completed', at: at(60) });
    }
    const instances = others.map((db) => {
      const posted: OutboundRequest[] = [];
      const store = new SqlCallStore(db, testCipher());
      const integrations = buildCallIntegrations({ db, calls: store, cipher: testCipher(), clock: w.clock, allowPrivateUrls: true, post: async (r) => (posted.push(r), { kind: 'response', statusCode: 200 }) });
      return { integrations, posted };
    });

    // Act
    const dispatched = await Promise.all(instances.map((i) => i.integrations.dispatcher.run()));
    const sent = await Promise.all(instances.map((i) => i.integrations.sender.run()));
    const sentMore = await Promise.all(instances.map((i) => i.integrations.sender.run()));

    // Assert: the work was shared, nothing was done twice.
    expect(dispatched[0].events + dispatched[1].events).toBe(450);
    expect(dispatched[0].deliveries + dispatched[1].deliveries).toBe(450);
    const { rows } = await w.db.query<{ n: number; distinct_outbox: number }>('SELECT count(*)::int AS n, count(DISTINCT outbox_id)::int AS distinct_outbox FROM deliveries');
    expect(rows[0]).toEqual({ n: 450, distinct_outbox: 450 });
    const attempted = [...sent, ...sentMore].reduce((n, s) => n + s.attempted, 0);
    const ids = instances.flatMap((i) => i.posted.map((p) => p.headers['Calltracking-Delivery']));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(attempted);
  });
});

describe('trimming old events (deliveries-trim)', () => {
  it('when events were dispatched over 30 days ago, then they go with their deliveries, except one whose delivery is still waiting', async () => {
    // Arrange: two calls' events, dispatched and sent; one delivery is then retried by hand (pending again).
    const w = await openWorld(createPgliteTestDatabase);
    try {
      const old = inbound(w);
      const retried = inbound(w);
      await w.store.recordInbound(old);
      await w.store.recordInbound(retried);
      await w.integrations.dispatcher.run();
      await w.integrations.sender.run();
      await w.db.query(
        `UPDATE deliveries SET status = 'pending', next_attempt_at = $2 WHERE outbox_id IN (SELECT id FROM call_outbox WHERE call_sid = $1)`,
        [retried.callSid, at(31 * 86_400)],
      );
      w.clock.advance(31 * 86_400_000);

      // Act
      const trimmed = await w.integrations.purge();

      // Assert
      const left = await w.db.query<{ call_sid: string; deliveries: number }>(
        'SELECT o.call_sid, (SELECT count(*)::int FROM deliveries d WHERE d.outbox_id = o.id) AS deliveries FROM call_outbox o ORDER BY o.id',
      );
      expect(trimmed).toBe(2);
      expect(left.rows.map((r) => r.call_sid)).toEqual([retried.callSid, retried.callSid]);
      expect(left.rows.every((r) => r.deliveries === 1)).toBe(true);
    } finally {
      await w.testDb.drop();
    }
  });
});

describe('forgetting a call’s events (erasure, retention)', () => {
  it('when a call is anonymised, then forgetCallEvents deletes its events and their deliveries, sent or not, and nothing else', async () => {
    // Arrange
    const w = await openWorld(createPgliteTestDatabase);
    try {
      const erased = inbound(w);
      const kept = inbound(w);
      await w.store.recordInbound(erased);
      await w.store.recordInbound(kept);
      await w.integrations.dispatcher.run();
      const idOf = async (sid: string) => (await w.db.query<{ id: string }>('SELECT id FROM calls WHERE call_sid = $1', [sid])).rows[0].id;

      // Act
      const erasedId = await idOf(erased.callSid);
      const nothing = await w.db.transaction((tx) => forgetCallEvents(tx, []));
      const forgotten = await w.db.transaction((tx) => forgetCallEvents(tx, [erasedId]));

      // Assert
      expect(nothing).toBe(0);
      expect(forgotten).toBe(2);
      expect(await outboxOf(w, erased.callSid)).toEqual([]);
      expect(await outboxOf(w, kept.callSid)).toEqual(['call.started', 'call.attributed']);
      const { rows } = await w.db.query<{ n: number }>('SELECT count(*)::int AS n FROM deliveries');
      expect(rows[0].n).toBe(2);
    } finally {
      await w.testDb.drop();
    }
  });
});

describe('the sender and its lease', () => {
  it('when a batch of slow receivers outlasts the lease, then no attempt is sent by two instances', async () => {
    // Arrange: 50 due deliveries (25 calls, call.started and call.attributed each).
    const w = await openWorld(createPgliteTestDatabase);
    try {
      for (let i = 0; i < 25; i += 1) await w.store.recordInbound(inbound(w));
      await w.integrations.dispatcher.run();
      const sentBy: string[] = [];
      const target = new WebhookTarget(w.integrations.endpoints);
      const other = new DeliverySender(w.integrations.deliveries, [target], async (r) => (sentBy.push(r.headers['Calltracking-Delivery']), { kind: 'response', statusCode: 200 }), w.clock);
      // Every attempt takes a quarter of the timeout, one after the other (slow receivers, a slow database):
      // the batch lasts far longer than any lease.
      const slow = new DeliverySender(
        w.integrations.deliveries,
        [target],
        async (r) => {
          sentBy.push(r.headers['Calltracking-Delivery']);
          w.clock.advance(ATTEMPT_TIMEOUT_MS / 4);
          return { kind: 'response', statusCode: 200 };
        },
        w.clock,
      );

      // Act: one instance works through the batch; another runs while it does, and again after it.
      let slowDone = false;
      const slowRun = slow.run().finally(() => (slowDone = true));
      while (!slowDone) await other.run();
      await slowRun;
      await other.run();

      // Assert: each delivery was sent once, and all were delivered.
      expect(sentBy.length).toBe(50);
      expect(new Set(sentBy).size).toBe(50);
      const { rows } = await w.db.query<{ n: number }>("SELECT count(*)::int AS n FROM deliveries WHERE status = 'delivered'");
      expect(rows[0].n).toBe(50);
    } finally {
      await w.testDb.drop();
    }
  });
});

describe('restricted processing after dispatch', () => {
  it('when the caller asks for restriction while a delivery of their call is waiting, then it is not sent', async () => {
    // Arrange: the call's events are dispatched (deliveries pending), then the caller is restricted.
    const w = await openWorld(createPgliteTestDatabase);
    try {
      const call = inbound(w);
      await w.store.recordInbound(call);
      await w.integrations.dispatcher.run();
      await w.db.query('UPDATE calls SET restricted = true WHERE call_sid = $1', [call.callSid]);

      // Act
      await w.integrations.sender.run();

      // Assert
      expect(w.posted).toEqual([]);
      const { rows } = await w.db.query<{ status: string }>('SELECT status FROM deliveries ORDER BY created_at');
      expect(rows.map((r) => r.status)).toEqual(['skipped', 'skipped']);
    } finally {
      await w.testDb.drop();
    }
  });
});
