import request from 'supertest';
import type { TestApp } from '../support/test-app';
import { twilioSignature } from '../support/twilio-webhooks';
import { BACKENDS, FORWARD_TO, WEBHOOKS, adminApi, callBySid, createTrackedSite, forwardsTo, inboundCall, twilioFixture, useTestApp, visitWithNumber } from '../support/fixtures';

/**
 * A captured, correctly signed Twilio request sent again (by an attacker who saw it, or by Twilio
 * retrying) is accepted, since its signature is valid, but changes nothing: no row, no attribution,
 * no status, no lease.
 */

/** Everything stored about a call: its row as it is in the database, and how many events and legs it has. */
async function storedState(t: TestApp, callSid: string) {
  const call = await t.container.db.query('SELECT * FROM calls WHERE call_sid = $1', [callSid]);
  const count = async (table: string, column: string) =>
    (await t.container.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${column} = $1`, [callSid])).rows[0].n;
  return {
    rows: call.rows,
    events: await count('call_events', 'call_sid'),
    legs: await count('call_legs', 'parent_call_sid'),
    allCalls: (await t.container.db.query<{ n: number }>('SELECT count(*)::int AS n FROM calls')).rows[0].n,
  };
}

/** The exact request Twilio sent: same form body, same X-Twilio-Signature. */
function replay(t: TestApp, path: string, params: Record<string, string>, signature: string) {
  return request(t.app).post(path).type('form').set('X-Twilio-Signature', signature).send(params);
}

describe.each(BACKENDS)('replayed Twilio webhooks on %s backends', (backend, available) => {
  const maybe = available ? it : it.skip;
  const app = useTestApp(backend, available);

  maybe('when a signed voice webhook and a signed status callback are replayed after the number moved on, then nothing changes', async () => {
    // Arrange: visit A is shown the only number and calls it; the call completes.
    const t = app();
    const { siteId, siteKey, numbers, poolId } = await createTrackedSite(t, { numbers: 1, pool: { leaseSeconds: 60, graceSeconds: 0, cooldownSeconds: 0 } });
    const visitA = await visitWithNumber(t, siteKey);
    const voice = inboundCall(numbers[0]);
    const status = { ...twilioFixture('call-status-completed'), CallSid: voice.CallSid, To: numbers[0], Called: numbers[0] };
    const voiceSignature = twilioSignature(WEBHOOKS.voice, voice);
    const statusSignature = twilioSignature(WEBHOOKS.status, status);
    await replay(t, WEBHOOKS.voice, voice, voiceSignature).expect(200);
    await replay(t, WEBHOOKS.status, status, statusSignature).expect(204);
    const callBefore = await callBySid(t, siteId, voice.CallSid);
    const storedBefore = await storedState(t, voice.CallSid);
    // The lease ends and visit B is shown the same number: a replay must not credit the call to B.
    t.clock.advance(61_000);
    const visitB = await visitWithNumber(t, siteKey);
    expect(visitB.number.e164).toBe(numbers[0]);
    const poolBefore = (await adminApi(t).get(`/v1/pools/${poolId}`).expect(200)).body.stats;

    // Act: both requests arrive again, byte for byte, twice.
    const replays = [];
    for (let i = 0; i < 2; i += 1) {
      replays.push(await replay(t, WEBHOOKS.voice, voice, voiceSignature));
      replays.push(await replay(t, WEBHOOKS.status, status, statusSignature));
    }

    // Assert: Twilio still gets its answers (the caller would still be forwarded), and nothing stored moved.
    expect(replays.map((r) => r.status)).toEqual([200, 204, 200, 204]);
    expect(replays[0].text).toMatch(forwardsTo(FORWARD_TO));
    expect(callBefore).toMatchObject({ attribution: 'lease', visitId: visitA.visitId, status: 'completed', durationSeconds: 56 });
    expect(await callBySid(t, siteId, voice.CallSid)).toEqual(callBefore);
    expect(await storedState(t, voice.CallSid)).toEqual(storedBefore);
    expect(storedBefore).toMatchObject({ rows: [expect.anything()], events: 1 });
    expect((await adminApi(t).get(`/v1/pools/${poolId}`).expect(200)).body.stats).toEqual(poolBefore);
    // Visit B still holds its number.
    await request(t.app).post(`/t/${siteKey}/visits/${visitB.visitId}/heartbeat`).send({ leaseToken: visitB.leaseToken }).expect(200);
  });
});
