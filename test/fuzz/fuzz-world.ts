import request from 'supertest';
import { adminApi, createTrackedSite, inboundCall, twilioFixture, visitWithNumber, WEBHOOKS } from '../support/fixtures';
import type { TestApp } from '../support/test-app';
import { sendSignedWebhook } from '../support/twilio-webhooks';

/** A caller of our own from the Ofcom drama range (020 7946 0xxx). */
export const FUZZ_CALLER = '+442079460123';

/** The seeded data the fuzzer aims at: real ids make requests reach past "not found" into the handlers. */
export interface FuzzWorld {
  /** Real ids by the name of the path parameter they fill (clientId, siteId, poolId, ...). */
  idsByParam: Record<string, string[]>;
  /** Every real id and key, whatever its kind, to put where another kind is expected. */
  allIds: string[];
  clientId: string;
  siteId: string;
  siteKey: string;
  poolId: string;
  numbers: string[];
  visitId: string;
  visitorId: string;
  leaseToken: string;
  callSid: string;
  origin: string;
}

/**
 * Arrange for the fuzzer, through the public API only: a client with a tracked site (tracking on, a
 * domain), a pool of three numbers, a visit holding one of them, a call to that number with its status
 * and dial callbacks, a consent, an access request and a restriction, and a client API key.
 */
export async function seedFuzzWorld(t: TestApp): Promise<FuzzWorld> {
  const api = adminApi(t);
  const site = await createTrackedSite(t, { numbers: 3 });
  const origin = 'https://shop.example';
  const visit = await visitWithNumber(t, site.siteKey, { url: `${origin}/?utm_source=fuzz&gclid=fuzz` }, origin);

  const call = inboundCall(visit.number.e164);
  await sendSignedWebhook(t.app, WEBHOOKS.voice, { ...call, From: FUZZ_CALLER, Caller: FUZZ_CALLER }).expect(200);
  const status = { ...twilioFixture('call-status-completed'), CallSid: call.CallSid, To: visit.number.e164, Called: visit.number.e164, From: FUZZ_CALLER, Caller: FUZZ_CALLER };
  await sendSignedWebhook(t.app, WEBHOOKS.status, status).expect(204);
  const dial = { ...twilioFixture('dial-action'), CallSid: call.CallSid, To: visit.number.e164, Called: visit.number.e164, From: FUZZ_CALLER, Caller: FUZZ_CALLER };
  await sendSignedWebhook(t.app, WEBHOOKS.dial, dial).expect(200);

  await request(t.app).post(`/t/${site.siteKey}/consent`).set('Origin', origin).send({ visitorId: visit.visitorId, state: 'given' }).expect(204);

  const calls = await api.get(`/v1/calls?siteId=${site.siteId}`).expect(200);
  const numbers = await api.get(`/v1/pools/${site.poolId}/numbers`).expect(200);
  const access = await api.post('/v1/privacy/requests', { clientId: site.clientId, type: 'access', subject: { phone: FUZZ_CALLER } }).expect(201);
  const restriction = await api.post('/v1/privacy/requests', { clientId: site.clientId, type: 'restriction', subject: { phone: '+442079460456' } }).expect(201);
  const key = await api.post(`/v1/clients/${site.clientId}/api-keys`, { role: 'analyst' }).expect(201);

  const idsByParam: Record<string, string[]> = {
    clientId: [site.clientId],
    siteId: [site.siteId],
    siteKey: [site.siteKey],
    poolId: [site.poolId as string],
    numberId: (numbers.body.data as { id: string }[]).map((n) => n.id),
    callId: (calls.body.data as { id: string }[]).map((c) => c.id),
    visitId: [visit.visitId],
    requestId: [access.body.id, restriction.body.id],
    keyId: [key.body.id],
  };
  return {
    idsByParam,
    allIds: [...Object.values(idsByParam).flat(), visit.visitorId, call.CallSid],
    clientId: site.clientId,
    siteId: site.siteId,
    siteKey: site.siteKey,
    poolId: site.poolId as string,
    numbers: site.numbers,
    visitId: visit.visitId,
    visitorId: visit.visitorId,
    leaseToken: visit.leaseToken,
    callSid: call.CallSid,
    origin,
  };
}
