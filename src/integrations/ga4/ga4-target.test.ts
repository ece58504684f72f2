import { randomBytes, randomUUID } from 'node:crypto';
import { describeWithPostgres } from '../../../test/support/conditional';
import { createPgliteTestDatabase, createPostgresTestDatabase, type TestDatabase } from '../../../test/support/databases';
import { seedSite } from '../../../test/support/sql-seed';
import { testCipher } from '../../../test/support/personal-data';
import type { CallRecord } from '../../calls/call-store';
import type { Database } from '../../db/database';
import { VisitIds } from '../../tracking/visit-ids';
import type { CallEvent, DueDelivery } from '../delivery-target';
import { Ga4Target } from './ga4-target';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const ENDPOINT = 'http://127.0.0.1:9/mp/collect';
const SECRET = 'aBcDeFgHiJkLmNoPqRsTuV';
const cipher = testCipher();

function runGa4TargetTests(createDatabase: () => Promise<TestDatabase>): void {
  let testDb: TestDatabase;
  let db: Database;
  let target: Ga4Target;

  beforeAll(async () => {
    testDb = await createDatabase();
    db = testDb.db;
    target = new Ga4Target(db, cipher, ENDPOINT, { now: () => NOW });
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  async function siteWithGa4(settings: { enabled?: boolean; eventName?: string } | null = {}): Promise<string> {
    const siteId = await seedSite(db);
    if (settings) {
      await db.query('UPDATE sites SET ga4_measurement_id = $2, ga4_api_secret_sealed = $3, ga4_event_name = $4, ga4_enabled = $5 WHERE id = $1', [
        siteId, 'G-TEST123456', cipher.seal(SECRET), settings.eventName ?? 'phone_call', settings.enabled ?? true,
      ]);
    }
    return siteId;
  }

  async function visit(siteId: string, ga: { clientId: string | null; sessionId: string | null }, opts: { restricted?: boolean; legacyId?: boolean } = {}): Promise<string> {
    // Issued ten minutes before the call, so the row lands in this month's partition; a legacy id carries no time.
    const id = opts.legacyId ? `vis_${randomBytes(8).toString('hex')}` : new VisitIds(randomBytes(32)).issue(siteId, NOW - 600_000);
    await db.query(
      `INSERT INTO visits (id, site_id, visitor_id, started_at, landing_page, source, medium, ga_client_id, ga_session_id, restricted)
       VALUES ($1, $2, $3, $4, 'https://shop.example/', 'google', 'cpc', $5, $6, $7)`,
      [id, siteId, `vtr_${randomBytes(6).toString('hex')}`, new Date(NOW - 600_000), ga.clientId, ga.sessionId, opts.restricted ?? false],
    );
    return id;
  }

  function callOf(siteId: string, visitId: string | null): CallRecord {
    return {
      id: randomUUID(), callSid: `CA${randomBytes(16).toString('hex')}`, siteId, poolId: null, from: '+442079460123', to: '+441134960001', direction: 'inbound',
      status: 'completed', durationSeconds: 65, dialStatus: 'completed', talkSeconds: 50, startedAt: new Date(NOW - 120_000), answeredAt: new Date(NOW - 110_000),
      endedAt: new Date(NOW - 55_000), forwardedTo: '+441134960999', visitId, attribution: visitId ? 'lease' : 'none', attributionCandidates: [], needsReattribution: false,
      staticSource: null, previousCallId: null,
      visit: visitId ? { source: 'google', medium: 'cpc', campaign: 'winter', term: null, content: null, referrer: null, landingPage: 'https://shop.example/', gclid: null } : null,
      caller: { name: 'JANE SMITH', forwardedFrom: null, city: null, state: null, zip: null, country: 'GB', stirVerstat: null },
      fallback: null, recording: null, savedSource: null, restricted: false, anonymisedAt: null,
    };
  }

  const eventOf = (call: CallRecord, type: CallEvent['type'] = 'call.completed'): CallEvent => ({
    id: '1', type, callId: call.id, callSid: call.callSid, siteId: call.siteId as string, clientId: randomUUID(), occurredAt: call.endedAt as Date,
  });
  const due = (targetId: string, body: string): DueDelivery => ({ id: randomUUID(), targetId, event: 'call.completed', body, attempt: 1, visitRestricted: false });

  it('when a completed call credited to a visit with GA ids is planned, then one delivery for the site carries the event joined to that session', async () => {
    const siteId = await siteWithGa4({ eventName: 'generate_lead' });
    const call = callOf(siteId, await visit(siteId, { clientId: '1234567890.1700000000', sessionId: '1764500000' }));

    const plans = await target.plan(eventOf(call), call, db);

    expect(plans).toHaveLength(1);
    expect(plans[0].targetId).toBe(siteId);
    expect(JSON.parse(plans[0].body)).toMatchObject({
      client_id: '1234567890.1700000000',
      timestamp_micros: (NOW - 55_000) * 1000,
      events: [{ name: 'generate_lead', params: { session_id: 1764500000, engagement_time_msec: 1, call_id: call.id, call_answered: 'yes', call_source: 'google' } }],
    });
    expect(plans[0].body).not.toContain('+442079460123');
    expect(plans[0].body).not.toContain('JANE');
  });

  it('when the visit id is of the older kind (no start time in it), then its GA ids are still found', async () => {
    const siteId = await siteWithGa4();
    const call = callOf(siteId, await visit(siteId, { clientId: '1.2', sessionId: null }, { legacyId: true }));

    expect(await target.plan(eventOf(call), call, db)).toHaveLength(1);
  });

  it.each(['call.started', 'call.attributed'] as const)('when the event is %s, then nothing is planned (only completed calls are sent)', async (type) => {
    const siteId = await siteWithGa4();
    const call = callOf(siteId, await visit(siteId, { clientId: '1.2', sessionId: '3' }));

    expect(await target.plan(eventOf(call, type), call, db)).toEqual([]);
  });

  it.each([
    ['the site has no GA4 settings', null, {}],
    ['GA4 is switched off for the site', { enabled: false }, {}],
    ['the visit has no GA client id', {}, { clientId: null }],
    ['the visit is under restricted processing', {}, { restricted: true }],
    ['the call was credited to no visit', {}, { noVisit: true }],
  ] as const)('when %s, then nothing is planned', async (_label, settings, v: { clientId?: null; restricted?: boolean; noVisit?: boolean }) => {
    const siteId = await siteWithGa4(settings);
    const visitId = v.noVisit ? null : await visit(siteId, { clientId: v.clientId === null ? null : '1.2', sessionId: '3' }, { restricted: v.restricted });
    const call = callOf(siteId, visitId);

    expect(await target.plan(eventOf(call), call, db)).toEqual([]);
  });

  it("when the call names another site's visit, then that visit's GA ids are not used", async () => {
    const siteId = await siteWithGa4();
    const otherSite = await siteWithGa4();
    const call = callOf(siteId, await visit(otherSite, { clientId: '1.2', sessionId: '3' }));

    expect(await target.plan(eventOf(call), call, db)).toEqual([]);
  });

  it('when a delivery is sent, then the request goes to the endpoint with the measurement id and the opened secret, as JSON, body unchanged', async () => {
    const siteId = await siteWithGa4();
    const body = JSON.stringify({ client_id: '1.2', timestamp_micros: (NOW - 60_000) * 1000, events: [] });

    const req = await target.request(due(siteId, body), new Date(NOW));

    expect(req).toEqual({ url: `${ENDPOINT}?measurement_id=G-TEST123456&api_secret=${SECRET}`, headers: { 'Content-Type': 'application/json' }, body });
  });

  it('when the site switched GA4 off or removed it after planning, then the delivery is skipped', async () => {
    const off = await siteWithGa4({ enabled: false });
    const removed = await siteWithGa4(null);
    const body = JSON.stringify({ timestamp_micros: NOW * 1000 });

    expect(await target.request(due(off, body), new Date(NOW))).toEqual({ skip: 'GA4 disabled for this site' });
    expect(await target.request(due(removed, body), new Date(NOW))).toEqual({ skip: 'GA4 disabled for this site' });
  });

  it('when a retry would send an event more than 72 hours old, then it is skipped (GA4 would drop it)', async () => {
    const siteId = await siteWithGa4();
    const body = JSON.stringify({ timestamp_micros: (NOW - 72 * 3600_000 - 1) * 1000 });

    expect(await target.request(due(siteId, body), new Date(NOW))).toEqual({ skip: expect.stringMatching(/72 hours/) });
  });
}

describeWithPostgres('Ga4Target on Postgres', () => runGa4TargetTests(createPostgresTestDatabase));
describe('Ga4Target on PGlite', () => runGa4TargetTests(createPgliteTestDatabase));
