import { randomBytes } from 'node:crypto';
import type { CallRecord, CallStore, InboundCall, StatusUpdate } from './call-store';

/**
 * What every CallStore must do, whatever holds the calls. Twilio delivers webhooks at least once and
 * in any order, so most of this is about retries, duplicates and late arrivals. Each test works in a
 * site of its own, so one database serves the whole suite.
 */
export interface CallStoreFixture {
  store: CallStore;
  /** A new site (with its client) to hold this test's calls. */
  createSite(): Promise<string>;
  /** A visit of `siteId` whose marketing source calls are reported with. */
  createVisit(siteId: string, visit: { source: string; medium: string; campaign?: string; gclid?: string; referrer?: string; landingPage: string }): Promise<string>;
  close(): Promise<void>;
}

const T0 = new Date(Date.UTC(2026, 10, 30, 10, 0, 0) + 123);
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

const CALLER = '+447700900123';
const TRACKING_NUMBER = '+442079460001';
const FORWARD_TO = '+441134960999';

export const newCallSid = (): string => `CA${randomBytes(16).toString('hex')}`;

function inbound(siteId: string | null, over: Partial<InboundCall> = {}): InboundCall {
  return {
    callSid: newCallSid(),
    siteId,
    poolId: null,
    numberId: null,
    from: CALLER,
    to: TRACKING_NUMBER,
    direction: 'inbound',
    status: 'ringing',
    startedAt: T0,
    forwardedTo: FORWARD_TO,
    visitId: null,
    attribution: 'none',
    candidates: [],
    leaseToken: null,
    staticSource: null,
    needsReattribution: false,
    ...over,
  };
}

const status = (callSid: string, eventKey: string, s: StatusUpdate['status'], seconds: number, over: Partial<StatusUpdate> = {}): StatusUpdate => ({
  callSid,
  eventKey,
  status: s,
  at: at(seconds),
  ...over,
});

export function runCallStoreContract(name: string, openFixture: () => Promise<CallStoreFixture>): void {
  describe(`${name} honours the CallStore contract`, () => {
    let fixture: CallStoreFixture;
    let store: CallStore;

    beforeAll(async () => {
      fixture = await openFixture();
      store = fixture.store;
    });
    afterAll(async () => {
      await fixture?.close();
    });

    /** The call as the admin API would read it (list finds it by site, findById by id). */
    async function readCall(siteId: string, callSid: string): Promise<CallRecord> {
      const found = (await store.list({ siteId, limit: 500 })).filter((c) => c.callSid === callSid);
      if (found.length !== 1) throw new Error(`expected one listed call ${callSid}, found ${found.length}`);
      return found[0];
    }

    /** A call that came in through the voice webhook, in its own site. */
    async function recordedCall(over: Partial<InboundCall> = {}): Promise<{ siteId: string; callSid: string }> {
      const siteId = await fixture.createSite();
      const call = inbound(siteId, over);
      await store.recordInbound(call);
      return { siteId, callSid: call.callSid };
    }

    describe('recordInbound', () => {
      it('when a call is recorded, then it reads back with every routing fact and the visit it is credited to', async () => {
        const siteId = await fixture.createSite();
        const visitId = await fixture.createVisit(siteId, { source: 'google', medium: 'cpc', campaign: 'winter', gclid: 'abc123', referrer: 'https://www.google.com/', landingPage: 'https://shop.example/boilers' });
        const call = inbound(siteId, {
          visitId,
          attribution: 'ambiguous',
          candidates: [
            { visitId, leaseToken: 7, endedAt: T0.getTime() - 10_000 },
            { visitId: 'v-older', leaseToken: 6, endedAt: T0.getTime() - 50_000 },
          ],
          leaseToken: 7,
          needsReattribution: true,
        });

        await store.recordInbound(call);

        const read = await readCall(siteId, call.callSid);
        expect(read).toMatchObject({
          callSid: call.callSid,
          siteId,
          poolId: null,
          from: CALLER,
          to: TRACKING_NUMBER,
          direction: 'inbound',
          status: 'ringing',
          durationSeconds: null,
          dialStatus: null,
          talkSeconds: null,
          startedAt: T0,
          answeredAt: null,
          endedAt: null,
          forwardedTo: FORWARD_TO,
          visitId,
          attribution: 'ambiguous',
          attributionCandidates: call.candidates,
          needsReattribution: true,
          previousCallId: null,
          visit: { source: 'google', medium: 'cpc', campaign: 'winter', term: null, content: null, referrer: 'https://www.google.com/', landingPage: 'https://shop.example/boilers', gclid: 'abc123' },
        });
        expect(await store.findById(read.id)).toEqual(read);
      });

      it('when no visit is credited, then the call has no visit fields', async () => {
        const { siteId, callSid } = await recordedCall();

        expect((await readCall(siteId, callSid)).visit).toBeNull();
      });

      it('when the voice webhook is retried with other facts, then the first delivery wins', async () => {
        const siteId = await fixture.createSite();
        const visitId = await fixture.createVisit(siteId, { source: 'bing', medium: 'cpc', landingPage: 'https://shop.example/' });
        const first = inbound(siteId, { visitId, attribution: 'lease', leaseToken: 3, candidates: [{ visitId, leaseToken: 3, endedAt: null }] });
        await store.recordInbound(first);

        await store.recordInbound({ ...first, visitId: null, attribution: 'none', candidates: [], leaseToken: null, forwardedTo: '+441134960111', startedAt: at(5), needsReattribution: true });

        expect(await readCall(siteId, first.callSid)).toMatchObject({ visitId, attribution: 'lease', forwardedTo: FORWARD_TO, startedAt: T0, needsReattribution: false });
      });

      it('when a status callback arrived before the voice webhook, then the call is completed with the routing facts and keeps its status', async () => {
        const siteId = await fixture.createSite();
        const call = inbound(siteId, { startedAt: at(2) });
        await store.applyStatus(status(call.callSid, 'status:seq:0', 'in-progress', 1, { from: CALLER, to: TRACKING_NUMBER }));
        expect(await store.list({ siteId, limit: 10 })).toEqual([]);

        await store.recordInbound(call);

        expect(await readCall(siteId, call.callSid)).toMatchObject({ siteId, forwardedTo: FORWARD_TO, status: 'in-progress', startedAt: at(1), answeredAt: at(1) });
      });

      it('when only status callbacks know a call, then it is not listed', async () => {
        const siteId = await fixture.createSite();
        const callSid = newCallSid();

        await store.applyStatus(status(callSid, 'status:completed', 'completed', 60, { durationSeconds: 60 }));

        expect((await store.list({ from: at(0), to: at(61), limit: 500 })).map((c) => c.callSid)).not.toContain(callSid);
        expect(await store.list({ siteId, limit: 10 })).toEqual([]);
      });

      it('when the same number calls the same site again, then the new call links the previous one', async () => {
        const siteId = await fixture.createSite();
        const first = inbound(siteId);
        const second = inbound(siteId, { startedAt: at(3600) });
        await store.recordInbound(first);

        await store.recordInbound(second);

        const firstRead = await readCall(siteId, first.callSid);
        expect(firstRead.previousCallId).toBeNull();
        expect((await readCall(siteId, second.callSid)).previousCallId).toBe(firstRead.id);
      });

      it('when the same number called another site before, then no previous call is linked', async () => {
        await recordedCall();
        const siteId = await fixture.createSite();
        const call = inbound(siteId, { startedAt: at(120) });

        await store.recordInbound(call);

        expect((await readCall(siteId, call.callSid)).previousCallId).toBeNull();
      });

      it('when the caller is withheld, then no previous call is linked', async () => {
        const siteId = await fixture.createSite();
        const second = inbound(siteId, { from: null, startedAt: at(60) });
        await store.recordInbound(inbound(siteId, { from: null }));

        await store.recordInbound(second);

        expect((await readCall(siteId, second.callSid)).previousCallId).toBeNull();
      });
    });

    describe('applyStatus', () => {
      it('when statuses arrive in order, then the call moves forward and records when it was answered and ended', async () => {
        const { siteId, callSid } = await recordedCall();

        expect(await store.applyStatus(status(callSid, 'status:seq:0', 'in-progress', 8))).toBe('applied');
        expect(await store.applyStatus(status(callSid, 'status:seq:1', 'completed', 60, { durationSeconds: 52 }))).toBe('applied');

        expect(await readCall(siteId, callSid)).toMatchObject({ status: 'completed', answeredAt: at(8), endedAt: at(60), durationSeconds: 52 });
      });

      it('when an earlier status arrives late, then it is accepted but the call does not move back', async () => {
        const { siteId, callSid } = await recordedCall();
        await store.applyStatus(status(callSid, 'status:seq:1', 'completed', 60, { durationSeconds: 52 }));

        const outcome = await store.applyStatus(status(callSid, 'status:seq:0', 'ringing', 1));

        expect(outcome).toBe('applied');
        expect(await readCall(siteId, callSid)).toMatchObject({ status: 'completed', endedAt: at(60), durationSeconds: 52 });
      });

      it('when a second final status arrives, then the first final status and its end time stay', async () => {
        const { siteId, callSid } = await recordedCall();
        await store.applyStatus(status(callSid, 'status:completed', 'completed', 60));

        await store.applyStatus(status(callSid, 'status:canceled', 'canceled', 90));

        expect(await readCall(siteId, callSid)).toMatchObject({ status: 'completed', endedAt: at(60) });
      });

      it('when a status ranks the same as the current one, then the current one stays', async () => {
        const { siteId, callSid } = await recordedCall({ status: 'queued' });

        await store.applyStatus(status(callSid, 'status:initiated', 'initiated', 1));

        expect((await readCall(siteId, callSid)).status).toBe('queued');
      });

      it('when a delivery is repeated with the same event key, then it is a duplicate and changes nothing, even if its fields differ', async () => {
        const { siteId, callSid } = await recordedCall();
        await store.applyStatus(status(callSid, 'status:seq:3', 'completed', 60, { durationSeconds: 52 }));

        const outcome = await store.applyStatus(status(callSid, 'status:seq:3', 'completed', 99, { durationSeconds: 1 }));

        expect(outcome).toBe('duplicate');
        expect(await readCall(siteId, callSid)).toMatchObject({ durationSeconds: 52, endedAt: at(60) });
      });

      it('when the same event key is used for another call, then it is not a duplicate', async () => {
        const a = await recordedCall();
        const b = await recordedCall();
        await store.applyStatus(status(a.callSid, 'status:completed', 'completed', 60));

        expect(await store.applyStatus(status(b.callSid, 'status:completed', 'completed', 61))).toBe('applied');
        expect((await readCall(b.siteId, b.callSid)).endedAt).toEqual(at(61));
      });

      it('when a later event carries no duration, then the known duration is kept', async () => {
        const { siteId, callSid } = await recordedCall();
        await store.applyStatus(status(callSid, 'status:seq:2', 'completed', 60, { durationSeconds: 52 }));

        await store.applyStatus(status(callSid, 'status:seq:1', 'in-progress', 8));

        expect(await readCall(siteId, callSid)).toMatchObject({ durationSeconds: 52, answeredAt: at(8), status: 'completed' });
      });

      it('when a status is not final, then the call has no end time', async () => {
        const { siteId, callSid } = await recordedCall();

        await store.applyStatus(status(callSid, 'status:seq:0', 'in-progress', 8));

        expect((await readCall(siteId, callSid)).endedAt).toBeNull();
      });

      it.each(['busy', 'failed', 'no-answer', 'canceled'] as const)('when the call ends as %s, then its end time is set', async (final) => {
        const { siteId, callSid } = await recordedCall();

        await store.applyStatus(status(callSid, `status:${final}`, final, 25));

        expect(await readCall(siteId, callSid)).toMatchObject({ status: final, endedAt: at(25), answeredAt: null });
      });
    });

    describe('applyDialOutcome', () => {
      const dial = (callSid: string, over: Partial<Parameters<CallStore['applyDialOutcome']>[0]> = {}) => ({
        callSid,
        eventKey: 'dial:CAleg:completed',
        dialStatus: 'completed',
        dialCallSid: 'CA0000000000000000000000000000leg1',
        talkSeconds: 47,
        answered: true,
        at: at(60),
        ...over,
      });

      it('when the forwarded leg was answered, then the dial status, talk time and an answer time are recorded without touching the call status', async () => {
        const { siteId, callSid } = await recordedCall();

        expect(await store.applyDialOutcome(dial(callSid))).toBe('applied');

        const read = await readCall(siteId, callSid);
        expect(read).toMatchObject({ dialStatus: 'completed', talkSeconds: 47, status: 'ringing', endedAt: null });
        expect(read.answeredAt).not.toBeNull();
        expect(read.answeredAt!.getTime()).toBeLessThanOrEqual(at(60).getTime());
      });

      it('when the call was already answered, then the dial outcome keeps the earlier answer time', async () => {
        const { siteId, callSid } = await recordedCall();
        await store.applyStatus(status(callSid, 'status:seq:0', 'in-progress', 8));

        await store.applyDialOutcome(dial(callSid));

        expect((await readCall(siteId, callSid)).answeredAt).toEqual(at(8));
      });

      it('when the forwarded leg was not answered, then no answer time is recorded', async () => {
        const { siteId, callSid } = await recordedCall();

        await store.applyDialOutcome(dial(callSid, { eventKey: 'dial:CAleg:busy', dialStatus: 'busy', talkSeconds: null, answered: false }));

        expect(await readCall(siteId, callSid)).toMatchObject({ dialStatus: 'busy', talkSeconds: null, answeredAt: null });
      });

      it('when the dial outcome is delivered twice, then the second is a duplicate and changes nothing', async () => {
        const { siteId, callSid } = await recordedCall();
        await store.applyDialOutcome(dial(callSid));

        const outcome = await store.applyDialOutcome(dial(callSid, { talkSeconds: 1 }));

        expect(outcome).toBe('duplicate');
        expect((await readCall(siteId, callSid)).talkSeconds).toBe(47);
      });

      it('when a later dial outcome has no talk time, then the known talk time is kept', async () => {
        const { siteId, callSid } = await recordedCall();
        await store.applyDialOutcome(dial(callSid));

        await store.applyDialOutcome(dial(callSid, { eventKey: 'dial::completed', dialCallSid: null, talkSeconds: null }));

        expect((await readCall(siteId, callSid)).talkSeconds).toBe(47);
      });
    });

    describe('list and findById', () => {
      /** Records calls in a new site at the given offsets (seconds from T0); returns them with their ids, newest first. */
      async function callsAt(offsets: number[]): Promise<{ siteId: string; calls: CallRecord[] }> {
        const siteId = await fixture.createSite();
        for (const s of offsets) await store.recordInbound(inbound(siteId, { startedAt: at(s) }));
        return { siteId, calls: await store.list({ siteId, limit: 500 }) };
      }

      it('when calls are listed, then the newest comes first and calls started at the same moment are ordered by id', async () => {
        const { calls } = await callsAt([10, 30, 20, 20, 20]);

        expect(calls.map((c) => c.startedAt.getTime() - T0.getTime())).toEqual([30_000, 20_000, 20_000, 20_000, 10_000]);
        const tied = calls.slice(1, 4).map((c) => c.id);
        expect(tied).toEqual([...tied].sort().reverse());
      });

      it('when filtered by site, then only that site’s calls are listed', async () => {
        const a = await callsAt([1, 2]);
        const b = await callsAt([3]);

        expect((await store.list({ siteId: a.siteId, limit: 500 })).map((c) => c.siteId)).toEqual([a.siteId, a.siteId]);
        expect((await store.list({ siteId: b.siteId, limit: 500 })).map((c) => c.callSid)).toEqual(b.calls.map((c) => c.callSid));
      });

      it('when filtered by time, then from is inclusive and to is exclusive', async () => {
        const { siteId } = await callsAt([10, 20, 30, 40]);

        const window = await store.list({ siteId, from: at(20), to: at(40), limit: 500 });

        expect(window.map((c) => c.startedAt)).toEqual([at(30), at(20)]);
      });

      it('when the limit is smaller than the number of calls, then only the newest are returned', async () => {
        const { siteId } = await callsAt([10, 20, 30]);

        expect((await store.list({ siteId, limit: 2 })).map((c) => c.startedAt)).toEqual([at(30), at(20)]);
      });

      it('when paging with the (startedAt, id) of the last row, then every call is seen exactly once, ties included', async () => {
        const { siteId, calls } = await callsAt([10, 20, 20, 20, 30, 40, 40]);

        const seen: string[] = [];
        let after: { startedAt: Date; id: string } | undefined;
        for (let page = 0; page < 10; page++) {
          const rows = await store.list({ siteId, after, limit: 2 });
          if (!rows.length) break;
          seen.push(...rows.map((c) => c.id));
          const last = rows[rows.length - 1];
          after = { startedAt: last.startedAt, id: last.id };
        }

        expect(seen).toEqual(calls.map((c) => c.id));
      });

      it('when the cursor is combined with a time window, then both apply', async () => {
        const { siteId, calls } = await callsAt([10, 20, 30, 40]);
        const newest = calls[0];

        const rows = await store.list({ siteId, from: at(15), after: { startedAt: newest.startedAt, id: newest.id }, limit: 500 });

        expect(rows.map((c) => c.startedAt)).toEqual([at(30), at(20)]);
      });

      it('when no call has the id, then findById returns null', async () => {
        expect(await store.findById('00000000-0000-4000-8000-000000000000')).toBeNull();
      });
    });
  });
}
