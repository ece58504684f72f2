import { randomUUID } from 'node:crypto';
import type { TestApp } from '../support/test-app';
import { BACKENDS, FORWARD_TO, adminApi, createTrackedSite, expectProblem, forwardsTo, registerVisit, useTestApp, type TrackedSite } from '../support/fixtures';
import { testCipher } from '../support/personal-data';
import { parseCsv } from '../support/parse-csv';
import {
  CALLER_NAME,
  VISITOR_IP,
  answeredCall,
  carriedOut,
  heartbeat,
  privacyApi,
  recordConsent,
  rowsOfVisit,
  trackedVisitor,
} from '../support/privacy-fixtures';

/** The person both clients hear from: 020 7946 0987 (tracking numbers are provisioned from 020 7946 0000 up). */
const CALLER = '+442079460987';
/** Every way the caller's number could be written down in clear. */
const CALLER_FORMS = [CALLER, '442079460987', '2079460987', '020 7946 0987'];
const OTHER_CALLER = '+447700900456';

/** Two clients, each with a site and a pool of its own, that the same person calls and visits. */
async function twoClients(t: TestApp): Promise<{ a: TrackedSite; b: TrackedSite }> {
  return { a: await createTrackedSite(t, { numbers: 2 }), b: await createTrackedSite(t, { numbers: 2 }) };
}

const callById = async (t: TestApp, id: string) => (await adminApi(t).get(`/v1/calls/${id}`).expect(200)).body as Record<string, unknown>;
const listedCallSids = async (t: TestApp, siteId: string) =>
  ((await adminApi(t).get(`/v1/calls?siteId=${siteId}&limit=500`).expect(200)).body.data as { callSid: string }[]).map((c) => c.callSid);
const requestsOf = async (t: TestApp, clientId: string) =>
  (await adminApi(t).get(`/v1/privacy/requests?clientId=${clientId}`).expect(200)).body.data as { id: string; clientId: string; type: string }[];
const poolLeased = async (t: TestApp, poolId: string | null) => (await adminApi(t).get(`/v1/pools/${poolId}`).expect(200)).body.stats.leased as number;

async function visitsOfVisitor(t: TestApp, siteId: string, visitorId: string): Promise<{ id: string; restricted: boolean }[]> {
  await t.container.leaseHistory.flush();
  return (await t.container.db.query<{ id: string; restricted: boolean }>('SELECT id, restricted FROM visits WHERE site_id = $1 AND visitor_id = $2 ORDER BY started_at', [siteId, visitorId])).rows;
}

/** Lease history rows of a visit still open: what re-attribution and a pool rebuilt from Postgres would treat as live. */
async function openLeases(t: TestApp, visitId: string): Promise<number> {
  await t.container.leaseHistory.flush();
  return (await t.container.db.query<{ n: number }>('SELECT count(*)::int AS n FROM leases WHERE visit_id = $1 AND ended_at IS NULL', [visitId])).rows[0].n;
}

async function pageViewCount(t: TestApp, siteId: string): Promise<number> {
  await t.container.pageViews.flush();
  return (await t.container.db.query<{ n: number }>('SELECT count(*)::int AS n FROM page_views WHERE site_id = $1', [siteId])).rows[0].n;
}

/** Retries an assertion about work done after the response (the audit entry of an admin write). */
async function eventually(assertion: () => Promise<void>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

describe.each(BACKENDS)('data-subject requests on %s backends', (backend, available) => {
  const maybe = available ? it : it.skip;
  const app = useTestApp(backend, available);

  describe('access and portability', () => {
    maybe('when a caller asks for access, then the JSON export holds their calls at this client (number opened), the legs and their requests, and nothing of the other client', async () => {
      // Arrange
      const t = app();
      const { a, b } = await twoClients(t);
      const callA = await answeredCall(t, a.numbers[0], CALLER);
      const callB = await answeredCall(t, b.numbers[0], CALLER);
      const earlier = await carriedOut(t, { clientId: a.clientId, type: 'portability', subject: { phone: CALLER } });
      t.clock.advance(60_000);

      // Act: the number as the client wrote it down, which is the same E.164 number.
      const access = await privacyApi(t).submit({ clientId: a.clientId, type: 'access', subject: { phone: '+44 20 7946 0987' } }).expect(201);
      const exported = await privacyApi(t).exportOf(access.body.id).expect(200);

      // Assert
      expect(access.body).toMatchObject({
        clientId: a.clientId,
        type: 'access',
        subjectKind: 'phone',
        status: 'completed',
        requestedBy: 'operator',
        outcome: { found: { calls: 1, callLegs: 1, visits: 0 } },
        export: { json: `/v1/privacy/requests/${access.body.id}/export?format=json`, csv: `/v1/privacy/requests/${access.body.id}/export?format=csv` },
      });
      for (const form of CALLER_FORMS) expect(JSON.stringify(access.body)).not.toContain(form);
      expect(exported.headers['content-disposition']).toBe(`attachment; filename="subject-export-${access.body.id}.json"`);
      expect(exported.headers['cache-control']).toBe('no-store');
      expect(exported.body).toMatchObject({ format: 'call-tracking.subject-export.v1', subject: { kind: 'phone', value: CALLER }, visits: [], pageViews: [], leases: [], consents: [] });
      expect(exported.body.calls).toEqual([
        expect.objectContaining({ id: callA.id, call_sid: callA.callSid, site_id: a.siteId, from_number: CALLER, caller_name: CALLER_NAME, from_city: 'London', duration_seconds: 56 }),
      ]);
      expect(exported.body.calls[0]).not.toHaveProperty('from_index');
      expect(exported.body.callLegs).toEqual([expect.objectContaining({ call_sid: callA.legSid, parent_call_sid: callA.callSid, to_number: FORWARD_TO, status: 'completed' })]);
      expect(exported.body.requests.map((r: { id: string }) => r.id)).toEqual([access.body.id, earlier.id]);
      const text = JSON.stringify(exported.body);
      for (const other of [callB.callSid, callB.id, callB.legSid, b.siteId, b.clientId]) expect(text).not.toContain(other);
    });

    maybe('when the export is asked for as CSV, then it is valid CSV of (record_type, record_id, field, value) with formula-like cells neutralised', async () => {
      // Arrange: caller ids are whatever the network says, a spreadsheet formula included.
      const t = app();
      const { a, b } = await twoClients(t);
      const callA = await answeredCall(t, a.numbers[0], CALLER, { CallerName: '=HYPERLINK("https://evil.example","x")' });
      const callB = await answeredCall(t, b.numbers[0], CALLER);
      const access = await carriedOut(t, { clientId: a.clientId, type: 'access', subject: { phone: CALLER } });

      // Act
      const res = await privacyApi(t).exportOf(access.id, 'csv').expect(200);

      // Assert
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(res.headers['content-disposition']).toBe(`attachment; filename="subject-export-${access.id}.csv"`);
      const rows = parseCsv(res.text);
      expect(rows[0]).toEqual(['record_type', 'record_id', 'field', 'value']);
      expect(rows.every((r) => r.length === 4)).toBe(true);
      expect(rows).toContainEqual(['subject', 'phone', 'phone', `'${CALLER}`]);
      expect(rows).toContainEqual(['call', callA.id, 'from_number', `'${CALLER}`]);
      expect(rows).toContainEqual(['call', callA.id, 'caller_name', `'=HYPERLINK("https://evil.example","x")`]);
      expect(rows).toContainEqual(['call_leg', callA.legSid, 'parent_call_sid', callA.callSid]);
      expect(rows).toContainEqual(['privacy_request', access.id, 'type', 'access']);
      expect(rows.flat().filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
      expect(res.text).not.toContain(callB.callSid);
      expect(rows.some((r) => r[1] === callB.id)).toBe(false);
    });

    maybe('when a visitor asks for portability, then the export holds their visits (IP opened), page views, leases, consents and credited calls, without the caller, and nothing of the other client', async () => {
      // Arrange: the same cookie id also turns up at client B's site.
      const t = app();
      const { a, b } = await twoClients(t);
      const visitor = await trackedVisitor(t, a);
      await recordConsent(t, a, visitor.visitorId, 'given');
      const credited = await answeredCall(t, visitor.number.e164, OTHER_CALLER);
      const atB = await trackedVisitor(t, b, { visitorId: visitor.visitorId });
      const earlier = await carriedOut(t, { clientId: a.clientId, type: 'access', subject: { visitorId: visitor.visitorId } });
      t.clock.advance(60_000);

      // Act
      const portability = await carriedOut(t, { clientId: a.clientId, type: 'portability', subject: { visitorId: visitor.visitorId } });
      const exported = (await privacyApi(t).exportOf(portability.id).expect(200)).body;

      // Assert
      expect(portability).toMatchObject({ type: 'portability', subjectKind: 'visitor', outcome: { found: { visits: 1, pageViews: 2, leases: 1, consents: 1, calls: 1 } } });
      expect(exported.subject).toEqual({ kind: 'visitor', value: visitor.visitorId });
      expect(exported.visits).toEqual([
        expect.objectContaining({ id: visitor.visitId, site_id: a.siteId, visitor_id: visitor.visitorId, ip_address: VISITOR_IP, source: 'google', medium: 'cpc' }),
      ]);
      expect(exported.pageViews).toHaveLength(2);
      expect(exported.pageViews.every((p: { visit_id: string }) => p.visit_id === visitor.visitId)).toBe(true);
      expect(exported.leases).toEqual([expect.objectContaining({ visit_id: visitor.visitId })]);
      expect(exported.consents).toEqual([expect.objectContaining({ site_id: a.siteId, visitor_id: visitor.visitorId, state: 'given' })]);
      expect(exported.calls).toEqual([expect.objectContaining({ id: credited.id, visit_id: visitor.visitId })]);
      expect(exported.calls[0]).not.toHaveProperty('from_number');
      expect(exported.calls[0]).not.toHaveProperty('caller_name');
      expect(JSON.stringify(exported)).not.toContain(OTHER_CALLER);
      expect(JSON.stringify(exported)).not.toContain(CALLER_NAME);
      expect(exported.requests.map((r: { id: string }) => r.id)).toEqual([portability.id, earlier.id]);
      expect(JSON.stringify(exported)).not.toContain(atB.visitId);
      expect(JSON.stringify(exported)).not.toContain(b.siteId);
    });

    maybe('when a visitor asks for access at a client that never saw them, then the request is recorded and the export is empty', async () => {
      // Arrange
      const t = app();
      const { a, b } = await twoClients(t);
      const visitor = await trackedVisitor(t, b);

      // Act
      const access = await carriedOut(t, { clientId: a.clientId, type: 'access', subject: { visitorId: visitor.visitorId } });

      // Assert
      expect(access.outcome).toEqual({ found: { calls: 0, callLegs: 0, visits: 0, pageViews: 0, leases: 0, consents: 0 } });
      expect((await privacyApi(t).exportOf(access.id).expect(200)).body).toMatchObject({ calls: [], visits: [], pageViews: [], leases: [], consents: [] });
    });
  });

  describe('erasure', () => {
    maybe('when a caller is erased, then their calls at this client are anonymised (date, duration, status and source kept) and the other client\'s calls of the same number are untouched', async () => {
      // Arrange: the caller saw client A's number on a Google Ads visit.
      const t = app();
      const { a, b } = await twoClients(t);
      const visitor = await trackedVisitor(t, a);
      const callA = await answeredCall(t, visitor.number.e164, CALLER);
      const callB = await answeredCall(t, b.numbers[0], CALLER);
      const before = await callById(t, callA.id);
      expect(before).toMatchObject({ visitId: visitor.visitId, source: 'google', medium: 'cpc' });

      // Act
      const erasure = await carriedOut(t, { clientId: a.clientId, type: 'erasure', subject: { phone: CALLER } });

      // Assert
      expect(erasure).toMatchObject({ type: 'erasure', status: 'completed', outcome: { postgres: { calls: 1, callLegs: 1 } } });
      expect(await callById(t, callA.id)).toMatchObject({
        from: null,
        callerName: null,
        fromCity: null,
        fromCountry: null,
        stirVerstat: null,
        visitId: null,
        attributionCandidates: [],
        anonymised: true,
        status: 'completed',
        durationSeconds: 56,
        talkSeconds: 47,
        startedAt: before.startedAt,
        source: 'google',
        medium: 'cpc',
      });
      expect((await adminApi(t).get(`/v1/calls/${callA.id}/legs`).expect(200)).body.data).toEqual([]);
      expect(await callById(t, callB.id)).toMatchObject({ from: CALLER, callerName: CALLER_NAME, fromCity: 'London', anonymised: false });
      expect((await adminApi(t).get(`/v1/calls/${callB.id}/legs`).expect(200)).body.data).toHaveLength(1);
      // The visit is the visitor's, not the caller's: it stays.
      expect((await rowsOfVisit(t, visitor.visitId)).visits).toBe(1);
    });

    maybe('when a caller is erased after an access request, then no request keeps them and that export answers 409, while the other client\'s request still exports', async () => {
      // Arrange
      const t = app();
      const { a, b } = await twoClients(t);
      await answeredCall(t, a.numbers[0], CALLER);
      await answeredCall(t, b.numbers[0], CALLER);
      const accessA = await carriedOut(t, { clientId: a.clientId, type: 'access', subject: { phone: CALLER } });
      const accessB = await carriedOut(t, { clientId: b.clientId, type: 'access', subject: { phone: CALLER } });

      // Act
      await carriedOut(t, { clientId: a.clientId, type: 'erasure', subject: { phone: CALLER } });

      // Assert
      expectProblem(await privacyApi(t).exportOf(accessA.id), 409);
      const { rows } = await t.container.db.query<{ client_id: string; subject_sealed: string | null }>('SELECT client_id, subject_sealed FROM privacy_requests WHERE client_id = ANY($1::uuid[])', [[a.clientId, b.clientId]]);
      expect(rows.filter((r) => r.client_id === a.clientId).map((r) => r.subject_sealed)).toEqual([null, null]);
      expect((await privacyApi(t).exportOf(accessB.id).expect(200)).body.calls).toEqual([expect.objectContaining({ from_number: CALLER })]);
    });

    maybe('when a visitor is erased, then their visits, page views, leases and consents are gone, their number is free, and credited calls keep source and medium without the visit', async () => {
      // Arrange: the same cookie id also turns up at client B's site.
      const t = app();
      const { a, b } = await twoClients(t);
      const visitor = await trackedVisitor(t, a);
      await recordConsent(t, a, visitor.visitorId, 'given');
      const credited = await answeredCall(t, visitor.number.e164, OTHER_CALLER);
      const atB = await trackedVisitor(t, b, { visitorId: visitor.visitorId });
      expect(await poolLeased(t, a.poolId)).toBe(1);

      // Act
      const erasure = await carriedOut(t, { clientId: a.clientId, type: 'erasure', subject: { visitorId: visitor.visitorId } });

      // Assert
      expect(erasure.outcome).toMatchObject({ postgres: { visits: 1, pageViews: 2, leases: 1, consents: 1, callsUnlinked: 1 }, redis: { leasesEnded: 1 } });
      expect(await rowsOfVisit(t, visitor.visitId)).toEqual({ visits: 0, pageViews: 0, leases: 0 });
      const consents = await t.container.db.query('SELECT 1 FROM consents WHERE site_id = $1', [a.siteId]);
      expect(consents.rows).toEqual([]);
      expect(await poolLeased(t, a.poolId)).toBe(0);
      expect(await callById(t, credited.id)).toMatchObject({ visitId: null, attributionCandidates: [], source: 'google', medium: 'cpc', from: OTHER_CALLER, anonymised: false, durationSeconds: 56 });
      // Client B's visit of the same cookie id is B's business.
      expect(await rowsOfVisit(t, atB.visitId)).toEqual({ visits: 1, pageViews: 2, leases: 1 });
      expect(await poolLeased(t, b.poolId)).toBe(1);
    });
  });

  describe('rectification', () => {
    maybe('when a caller\'s details are rectified, then their calls show the corrected values (the name sealed at rest) and the other client\'s calls keep theirs', async () => {
      // Arrange
      const t = app();
      const { a, b } = await twoClients(t);
      const callA = await answeredCall(t, a.numbers[0], CALLER);
      const callB = await answeredCall(t, b.numbers[0], CALLER);

      // Act
      const rectification = await carriedOut(t, { clientId: a.clientId, type: 'rectification', subject: { phone: CALLER }, changes: { callerName: 'Janet Example', callerCity: 'Leeds' } });

      // Assert
      expect(rectification).toMatchObject({ type: 'rectification', outcome: { fields: ['callerName', 'callerCity'], updated: { calls: 1 } } });
      expect(JSON.stringify(rectification)).not.toContain('Janet Example');
      expect(await callById(t, callA.id)).toMatchObject({ callerName: 'Janet Example', fromCity: 'Leeds', from: CALLER });
      const { rows } = await t.container.db.query<{ caller_name: string }>('SELECT caller_name FROM calls WHERE id = $1', [callA.id]);
      expect(rows[0].caller_name).toMatch(/^pd1\./);
      expect(testCipher().open(rows[0].caller_name)).toBe('Janet Example');
      expect(await callById(t, callB.id)).toMatchObject({ callerName: CALLER_NAME, fromCity: 'London' });
      const access = await carriedOut(t, { clientId: a.clientId, type: 'access', subject: { phone: CALLER } });
      expect((await privacyApi(t).exportOf(access.id).expect(200)).body.calls).toEqual([expect.objectContaining({ caller_name: 'Janet Example', from_city: 'Leeds' })]);
    });

    maybe('when a visitor\'s details are rectified (one cleared), then their visits at this client carry the corrected values', async () => {
      // Arrange
      const t = app();
      const { a, b } = await twoClients(t);
      const visitor = await trackedVisitor(t, a);
      const atB = await trackedVisitor(t, b, { visitorId: visitor.visitorId });

      // Act
      await carriedOut(t, { clientId: a.clientId, type: 'rectification', subject: { visitorId: visitor.visitorId }, changes: { country: 'FR', browser: 'Firefox 128', isp: null } });

      // Assert
      const visit = async (id: string) => (await t.container.db.query<{ country: string | null; browser: string | null; isp: string | null }>('SELECT country, browser, isp FROM visits WHERE id = $1', [id])).rows[0];
      expect(await visit(visitor.visitId)).toEqual({ country: 'FR', browser: 'Firefox 128', isp: null });
      expect((await visit(atB.visitId)).browser).not.toBe('Firefox 128');
    });

    maybe.each([
      ['a field that is not rectifiable', { callerAge: '40' }],
      ['the number itself', { phone: '+442079460199' }],
      ['a visitor field for a caller', { country: 'FR' }],
      ['a valid field next to an unknown one', { callerName: 'Janet Example', callerAge: '40' }],
      ['no field at all', {}],
      ['a value of 201 characters', { callerName: 'x'.repeat(201) }],
      ['a value that is not text', { callerName: 42 }],
    ])('when a rectification has %s, then 400 problem, nothing is changed and no request is stored', async (_label, changes) => {
      // Arrange
      const t = app();
      const { a } = await twoClients(t);
      const call = await answeredCall(t, a.numbers[0], CALLER);

      // Act
      const res = await privacyApi(t).submit({ clientId: a.clientId, type: 'rectification', subject: { phone: CALLER }, changes });

      // Assert
      expectProblem(res, 400);
      expect(await callById(t, call.id)).toMatchObject({ callerName: CALLER_NAME, fromCity: 'London' });
      expect(await requestsOf(t, a.clientId)).toEqual([]);
    });

    maybe('when a rectification has no changes, then 400 problem', async () => {
      const t = app();
      const { a } = await twoClients(t);

      expectProblem(await privacyApi(t).submit({ clientId: a.clientId, type: 'rectification', subject: { phone: CALLER } }), 400);
      expect(await requestsOf(t, a.clientId)).toEqual([]);
    });

    maybe.each(['erasure', 'access', 'restriction', 'objection'])('when changes come with a request of type %s, then 400 problem and nothing is done', async (type) => {
      // Arrange
      const t = app();
      const { a } = await twoClients(t);
      const call = await answeredCall(t, a.numbers[0], CALLER);

      // Act
      const res = await privacyApi(t).submit({ clientId: a.clientId, type, subject: { phone: CALLER }, changes: { callerName: 'Janet Example' } });

      // Assert
      expectProblem(res, 400);
      expect(await callById(t, call.id)).toMatchObject({ from: CALLER, callerName: CALLER_NAME, anonymised: false, restricted: false });
      expect(await requestsOf(t, a.clientId)).toEqual([]);
    });
  });

  describe('restriction', () => {
    maybe('when a caller restricts processing, then their calls leave the list but stay readable by id, marked restricted, at this client only', async () => {
      // Arrange
      const t = app();
      const { a, b } = await twoClients(t);
      const callA = await answeredCall(t, a.numbers[0], CALLER);
      const callB = await answeredCall(t, b.numbers[0], CALLER);

      // Act
      const restriction = await carriedOut(t, { clientId: a.clientId, type: 'restriction', subject: { phone: CALLER } });

      // Assert
      expect(restriction).toMatchObject({ type: 'restriction', active: true, liftedAt: null, outcome: { restricted: { calls: 1 } } });
      expect(await listedCallSids(t, a.siteId)).not.toContain(callA.callSid);
      expect(await callById(t, callA.id)).toMatchObject({ restricted: true, from: CALLER });
      expect(await listedCallSids(t, b.siteId)).toContain(callB.callSid);
      expect(await callById(t, callB.id)).toMatchObject({ restricted: false });
    });

    maybe('when a restricted caller calls again, then the call is forwarded and stored restricted, unattributed and not linked to earlier calls', async () => {
      // Arrange: a visitor holds the number the caller dials.
      const t = app();
      const { a } = await twoClients(t);
      await answeredCall(t, a.numbers[0], CALLER);
      await carriedOut(t, { clientId: a.clientId, type: 'restriction', subject: { phone: CALLER } });
      const visitor = await trackedVisitor(t, a);

      // Act
      const again = await answeredCall(t, visitor.number.e164, CALLER);

      // Assert
      expect(again.twiml).toMatch(forwardsTo(FORWARD_TO));
      expect(await callById(t, again.id)).toMatchObject({ restricted: true, visitId: null, attribution: 'none', repeatCaller: false, from: CALLER, durationSeconds: 56 });
      expect(await listedCallSids(t, a.siteId)).toEqual([]);
    });

    maybe('when the restriction is lifted, then the calls are listed again and new calls are attributed; lifting it twice answers 409', async () => {
      // Arrange
      const t = app();
      const { a } = await twoClients(t);
      const call = await answeredCall(t, a.numbers[0], CALLER);
      const restriction = await carriedOut(t, { clientId: a.clientId, type: 'restriction', subject: { phone: CALLER } });

      // Act
      const lifted = await adminApi(t).delete(`/v1/privacy/restrictions/${restriction.id}`).expect(200);

      // Assert
      expect(lifted.body).toMatchObject({ id: restriction.id, active: false, liftedAt: expect.any(String), liftedBy: 'operator' });
      expect(await listedCallSids(t, a.siteId)).toEqual([call.callSid]);
      expect(await callById(t, call.id)).toMatchObject({ restricted: false });
      expectProblem(await adminApi(t).delete(`/v1/privacy/restrictions/${restriction.id}`), 409);
      const visitor = await trackedVisitor(t, a);
      const next = await answeredCall(t, visitor.number.e164, CALLER);
      expect(await callById(t, next.id)).toMatchObject({ restricted: false, visitId: visitor.visitId, attribution: 'lease', repeatCaller: true });
    });

    maybe('when one of two restrictions of a caller is lifted, then their calls stay restricted until the other is lifted too', async () => {
      // Arrange
      const t = app();
      const { a } = await twoClients(t);
      const call = await answeredCall(t, a.numbers[0], CALLER);
      const first = await carriedOut(t, { clientId: a.clientId, type: 'restriction', subject: { phone: CALLER } });
      const second = await carriedOut(t, { clientId: a.clientId, type: 'restriction', subject: { phone: CALLER } });

      // Act
      await adminApi(t).delete(`/v1/privacy/restrictions/${first.id}`).expect(200);

      // Assert
      expect(await callById(t, call.id)).toMatchObject({ restricted: true });
      await adminApi(t).delete(`/v1/privacy/restrictions/${second.id}`).expect(200);
      expect(await callById(t, call.id)).toMatchObject({ restricted: false });
    });

    maybe('when a restricted visitor comes back, then they get no number and no visit is stored, at this client only, until the restriction is lifted', async () => {
      // Arrange
      const t = app();
      const { a, b } = await twoClients(t);
      const visitor = await trackedVisitor(t, a);
      const restriction = await carriedOut(t, { clientId: a.clientId, type: 'restriction', subject: { visitorId: visitor.visitorId } });
      const pageViewsBefore = await pageViewCount(t, a.siteId);

      // Act
      const back = await registerVisit(t, a.siteKey, { url: 'https://shop.example/', visitorId: visitor.visitorId }).expect(200);

      // Assert
      expect(restriction.outcome).toMatchObject({ restricted: { visits: 1 } });
      expect(back.body).toMatchObject({ visitorId: null, visitId: null, number: null, leaseToken: null });
      expect(await visitsOfVisitor(t, a.siteId, visitor.visitorId)).toEqual([{ id: visitor.visitId, restricted: true }]);
      expect(await pageViewCount(t, a.siteId)).toBe(pageViewsBefore);
      expect((await registerVisit(t, b.siteKey, { url: 'https://shop.example/', visitorId: visitor.visitorId }).expect(200)).body.number).not.toBeNull();
      await adminApi(t).delete(`/v1/privacy/restrictions/${restriction.id}`).expect(200);
      expect((await registerVisit(t, a.siteKey, { url: 'https://shop.example/', visitorId: visitor.visitorId }).expect(200)).body.number).not.toBeNull();
      expect((await visitsOfVisitor(t, a.siteId, visitor.visitorId)).map((v) => v.restricted)).toEqual([false, false]);
    });

    maybe('when a visitor holding a number restricts processing, then their lease ends, new calls are not credited to them and earlier calls show none of their visit until it is lifted', async () => {
      // Arrange: someone calls the number the visitor was shown, so the call is credited to the visit.
      const t = app();
      const { a } = await twoClients(t);
      const visitor = await trackedVisitor(t, a);
      const earlier = await answeredCall(t, visitor.number.e164, OTHER_CALLER);
      expect(await callById(t, earlier.id)).toMatchObject({ visitId: visitor.visitId, source: 'google', landingPage: expect.stringContaining('/boilers') });
      // The call already carries its copy of the visit's source (what reports read).
      await t.container.jobs.definitions['call-source-snapshot'].run();

      // Act
      const restriction = await carriedOut(t, { clientId: a.clientId, type: 'restriction', subject: { visitorId: visitor.visitorId } });

      // Assert
      expect(restriction.outcome).toMatchObject({ restricted: { visits: 1 }, redis: { leasesEnded: 1 } });
      expect(await heartbeat(t, a, visitor)).toBe(409);
      expect(await poolLeased(t, a.poolId)).toBe(0);
      expect(await openLeases(t, visitor.visitId)).toBe(0);
      const later = await answeredCall(t, visitor.number.e164, '+447700900789');
      expect(await callById(t, later.id)).toMatchObject({ visitId: null, attributionCandidates: [] });
      expect(await callById(t, earlier.id)).toMatchObject({ source: null, medium: null, landingPage: null, referrer: null, gclid: null });
      // Nor does the copy of the visit's source that reports read: not after the snapshot job either.
      await t.container.jobs.definitions['call-source-snapshot'].run();
      expect(await callById(t, earlier.id)).toMatchObject({ source: null, medium: null });
      const report = await adminApi(t).get(`/v1/reports/calls?siteId=${a.siteId}&groupBy=source&from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z`).expect(200);
      expect(report.body.groups.map((g: { key: { source: string | null } }) => g.key.source)).not.toContain('google');
      expect(await rowsOfVisit(t, visitor.visitId)).toEqual({ visits: 1, pageViews: 2, leases: 1 });
      await adminApi(t).delete(`/v1/privacy/restrictions/${restriction.id}`).expect(200);
      expect(await callById(t, earlier.id)).toMatchObject({ visitId: visitor.visitId, source: 'google', medium: 'cpc' });
      await t.container.jobs.definitions['call-source-snapshot'].run();
      const lifted = await adminApi(t).get(`/v1/reports/calls?siteId=${a.siteId}&groupBy=source&from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z`).expect(200);
      expect(lifted.body.groups.map((g: { key: { source: string | null } }) => g.key.source)).toContain('google');
    });

    maybe('when a restriction id is unknown, names another type of request or is not an id, then 404 or 400 problem', async () => {
      const t = app();
      const { a } = await twoClients(t);
      const objection = await carriedOut(t, { clientId: a.clientId, type: 'objection', subject: { phone: CALLER } });

      expectProblem(await adminApi(t).delete(`/v1/privacy/restrictions/${randomUUID()}`), 404);
      expectProblem(await adminApi(t).delete(`/v1/privacy/restrictions/${objection.id}`), 404);
      expectProblem(await adminApi(t).delete('/v1/privacy/restrictions/not-an-id'), 400);
    });
  });

  describe('objection', () => {
    maybe('when a caller objects, then their next call is forwarded all the same and stored without their number or details, anonymised and unattributed, at this client only', async () => {
      // Arrange: a visitor holds the number the caller dials.
      const t = app();
      const { a, b } = await twoClients(t);
      const objection = await carriedOut(t, { clientId: a.clientId, type: 'objection', subject: { phone: CALLER } });
      const visitor = await trackedVisitor(t, a);

      // Act
      const call = await answeredCall(t, visitor.number.e164, CALLER, { ForwardedFrom: '+442079460986', FromCountry: 'GB' });

      // Assert
      expect(objection).toMatchObject({ type: 'objection', status: 'completed' });
      expect(call.twiml).toMatch(forwardsTo(FORWARD_TO));
      expect(await callById(t, call.id)).toMatchObject({
        from: null,
        callerName: null,
        forwardedFrom: null,
        fromCity: null,
        fromCountry: null,
        anonymised: true,
        restricted: false,
        visitId: null,
        attribution: 'none',
        status: 'completed',
        durationSeconds: 56,
      });
      const { rows } = await t.container.db.query('SELECT from_number, from_index, caller_name, forwarded_from FROM calls WHERE id = $1', [call.id]);
      expect(rows).toEqual([{ from_number: null, from_index: null, caller_name: null, forwarded_from: null }]);
      const atB = await answeredCall(t, b.numbers[0], CALLER);
      expect(await callById(t, atB.id)).toMatchObject({ from: CALLER, callerName: CALLER_NAME, anonymised: false });
    });

    maybe('when a visitor objects, then coming back gets them no number and stores nothing', async () => {
      // Arrange
      const t = app();
      const { a } = await twoClients(t);
      const visitor = await trackedVisitor(t, a);
      await carriedOut(t, { clientId: a.clientId, type: 'objection', subject: { visitorId: visitor.visitorId } });
      const pageViewsBefore = await pageViewCount(t, a.siteId);

      // Act
      const back = await registerVisit(t, a.siteKey, { url: 'https://shop.example/?utm_source=newsletter', visitorId: visitor.visitorId }).expect(200);

      // Assert
      expect(back.body).toMatchObject({ visitorId: null, visitId: null, number: null });
      expect(await visitsOfVisitor(t, a.siteId, visitor.visitorId)).toEqual([{ id: visitor.visitId, restricted: false }]);
      expect(await pageViewCount(t, a.siteId)).toBe(pageViewsBefore);
    });

    maybe('when a visitor holding a number objects, then their lease ends, heartbeats are refused and new calls to that number are not credited to them', async () => {
      // Arrange
      const t = app();
      const { a } = await twoClients(t);
      const visitor = await trackedVisitor(t, a);
      expect(await heartbeat(t, a, visitor)).toBe(200);

      // Act
      const objection = await carriedOut(t, { clientId: a.clientId, type: 'objection', subject: { visitorId: visitor.visitorId } });

      // Assert
      expect(objection.outcome).toMatchObject({ future: 'visits not tracked', redis: { leasesEnded: 1 } });
      expect(await heartbeat(t, a, visitor)).toBe(409);
      expect(await openLeases(t, visitor.visitId)).toBe(0);
      const call = await answeredCall(t, visitor.number.e164, OTHER_CALLER);
      expect(await callById(t, call.id)).toMatchObject({ visitId: null, attributionCandidates: [], from: OTHER_CALLER });
    });
  });

  describe('clients, listing and due dates', () => {
    maybe('when a request names a client that does not exist, then 404 problem and no request is stored', async () => {
      const t = app();
      const clientId = randomUUID();

      expectProblem(await privacyApi(t).submit({ clientId, type: 'erasure', subject: { phone: CALLER } }), 404);
      expect(await requestsOf(t, clientId)).toEqual([]);
    });

    maybe('when requests are listed for a client, then only that client\'s requests are shown, most recent first', async () => {
      // Arrange
      const t = app();
      const { a, b } = await twoClients(t);
      const access = await carriedOut(t, { clientId: a.clientId, type: 'access', subject: { phone: CALLER } });
      const atB = await carriedOut(t, { clientId: b.clientId, type: 'restriction', subject: { phone: CALLER } });
      t.clock.advance(1000);
      const objection = await carriedOut(t, { clientId: a.clientId, type: 'objection', subject: { phone: CALLER } });

      // Act
      const listed = await requestsOf(t, a.clientId);

      // Assert
      expect(listed.map((r) => r.id)).toEqual([objection.id, access.id]);
      expect((await adminApi(t).get(`/v1/privacy/requests/${atB.id}`).expect(200)).body).toMatchObject({ clientId: b.clientId, type: 'restriction' });
      expectProblem(await adminApi(t).get(`/v1/privacy/requests/${randomUUID()}`), 404);
    });

    maybe('when a request is received, then it is dated by the service clock and due one calendar month later (31 January: end of February)', async () => {
      // Arrange
      const t = app();
      const { a } = await twoClients(t);
      const receivedAt = new Date(t.clock.now());
      const expectedDue = new Date(receivedAt);
      expectedDue.setUTCMonth(expectedDue.getUTCMonth() + 1);
      expect(expectedDue.getUTCDate()).toBe(receivedAt.getUTCDate());

      // Act
      const now = await carriedOut(t, { clientId: a.clientId, type: 'access', subject: { phone: CALLER } });
      t.clock.advance(Date.parse('2027-01-31T10:00:00.000Z') - t.clock.now());
      const endOfJanuary = await carriedOut(t, { clientId: a.clientId, type: 'access', subject: { phone: CALLER } });

      // Assert
      expect(now).toMatchObject({ receivedAt: receivedAt.toISOString(), dueAt: expectedDue.toISOString() });
      // Carried out at once, on the same clock: never completed before it was received.
      expect(Date.parse(now.completedAt as string)).toBeGreaterThanOrEqual(receivedAt.getTime());
      expect(Date.parse(now.completedAt as string)).toBeLessThan(expectedDue.getTime());
      expect(endOfJanuary).toMatchObject({ receivedAt: '2027-01-31T10:00:00.000Z', dueAt: '2027-02-28T10:00:00.000Z' });
      expect((await adminApi(t).get(`/v1/privacy/requests/${endOfJanuary.id}`).expect(200)).body.dueAt).toBe('2027-02-28T10:00:00.000Z');
    });
  });

  describe('bad input', () => {
    const subjects: [string, (clientId: string) => unknown][] = [
      ['a phone that is not a number', (clientId) => ({ clientId, type: 'access', subject: { phone: 'not a number' } })],
      ['a phone number too short to exist', (clientId) => ({ clientId, type: 'access', subject: { phone: '+44 20 79' } })],
      ['both a phone and a visitor id', (clientId) => ({ clientId, type: 'access', subject: { phone: CALLER, visitorId: 'vr_abcdefgh12345678' } })],
      ['an empty subject', (clientId) => ({ clientId, type: 'access', subject: {} })],
      ['no subject', (clientId) => ({ clientId, type: 'access' })],
      ['a visitor id too short to be ours', (clientId) => ({ clientId, type: 'access', subject: { visitorId: 'vr_1' } })],
      ['an unknown type', (clientId) => ({ clientId, type: 'deletion', subject: { phone: CALLER } })],
      ['an extra field', (clientId) => ({ clientId, type: 'access', subject: { phone: CALLER }, reason: 'asked by phone' })],
      ['an extra field in the subject', (clientId) => ({ clientId, type: 'access', subject: { phone: CALLER, name: CALLER_NAME } })],
      ['a client id that is not a uuid', () => ({ clientId: 'acme', type: 'access', subject: { phone: CALLER } })],
    ];

    maybe.each(subjects)('when a request has %s, then 400 problem and no request is stored', async (_label, body) => {
      // Arrange
      const t = app();
      const { a } = await twoClients(t);

      // Act
      const res = await privacyApi(t).submit(body(a.clientId));

      // Assert
      expectProblem(res, 400);
      expect(await requestsOf(t, a.clientId)).toEqual([]);
      for (const form of CALLER_FORMS) expect(JSON.stringify(res.body)).not.toContain(form);
    });

    maybe('when an export is asked of a request that has none, or in an unknown format, then 409 or 400 problem', async () => {
      const t = app();
      const { a } = await twoClients(t);
      const restriction = await carriedOut(t, { clientId: a.clientId, type: 'restriction', subject: { phone: CALLER } });
      const access = await carriedOut(t, { clientId: a.clientId, type: 'access', subject: { phone: CALLER } });

      expectProblem(await privacyApi(t).exportOf(restriction.id), 409);
      expectProblem(await adminApi(t).get(`/v1/privacy/requests/${access.id}/export?format=xlsx`), 400);
      expectProblem(await privacyApi(t).exportOf(randomUUID()), 404);
    });
  });

  describe('audit log', () => {
    maybe('when an operator changes settings and handles every kind of request, then each action is audited as the operator, with ids, counts and field names but no personal data', async () => {
      // Arrange
      const t = app();
      const { a } = await twoClients(t);
      await answeredCall(t, a.numbers[0], CALLER);
      const visitor = await trackedVisitor(t, a);

      // Act
      await adminApi(t).post('/v1/clients', { name: 'Audit Plumbing' }).expect(201);
      const access = await carriedOut(t, { clientId: a.clientId, type: 'access', subject: { phone: CALLER } });
      await privacyApi(t).exportOf(access.id, 'csv').expect(200);
      const rectification = await carriedOut(t, { clientId: a.clientId, type: 'rectification', subject: { phone: CALLER }, changes: { callerName: 'Janet Example' } });
      const restriction = await carriedOut(t, { clientId: a.clientId, type: 'restriction', subject: { phone: CALLER } });
      await adminApi(t).delete(`/v1/privacy/restrictions/${restriction.id}`).expect(200);
      const objection = await carriedOut(t, { clientId: a.clientId, type: 'objection', subject: { visitorId: visitor.visitorId } });
      const erasure = await carriedOut(t, { clientId: a.clientId, type: 'erasure', subject: { phone: CALLER } });

      // Assert
      const needles = [...CALLER_FORMS, CALLER_NAME, 'Janet Example', visitor.visitorId, VISITOR_IP];
      let entries: { action: string; actor: string; targetType: string | null; targetId: string | null; details: Record<string, unknown> }[] = [];
      await eventually(async () => {
        entries = (await adminApi(t).get(`/v1/audit-log?clientId=${a.clientId}&limit=500`).expect(200)).body.data;
        expect(entries.map((e) => e.action)).toContain('POST /v1/sites');
      });
      expect(entries.every((e) => e.actor === 'operator')).toBe(true);
      const privacyEntries = entries.filter((e) => e.action.startsWith('privacy.'));
      expect(privacyEntries.map((e) => [e.action, e.targetType, e.targetId])).toEqual([
        ['privacy.erasure', 'privacy_request', erasure.id],
        ['privacy.objection', 'privacy_request', objection.id],
        ['privacy.restriction-lifted', 'privacy_request', restriction.id],
        ['privacy.restriction', 'privacy_request', restriction.id],
        ['privacy.rectification', 'privacy_request', rectification.id],
        ['privacy.export', 'privacy_request', access.id],
        ['privacy.access', 'privacy_request', access.id],
      ]);
      expect(privacyEntries.find((e) => e.action === 'privacy.rectification')?.details).toMatchObject({ subjectKind: 'phone', fields: ['callerName'] });
      for (const needle of needles) expect(JSON.stringify(entries)).not.toContain(needle);
      await eventually(async () => {
        const all = (await adminApi(t).get('/v1/audit-log?limit=500').expect(200)).body.data;
        expect(all).toContainEqual(expect.objectContaining({ action: 'POST /v1/clients', actor: 'operator', details: { status: 201 } }));
      });
      const stored = await t.container.db.query('SELECT * FROM audit_log');
      for (const needle of needles) expect(JSON.stringify(stored.rows)).not.toContain(needle);
    });

    maybe('when a request is refused, then nothing is audited for it', async () => {
      const t = app();
      const { a } = await twoClients(t);

      await privacyApi(t).submit({ clientId: a.clientId, type: 'access', subject: { phone: 'not a number' } }).expect(400);

      const entries = (await adminApi(t).get(`/v1/audit-log?clientId=${a.clientId}`).expect(200)).body.data as { action: string }[];
      expect(entries.filter((e) => e.action.startsWith('privacy.'))).toEqual([]);
    });
  });

  describe('personal data at rest', () => {
    maybe('when a call is stored, then the caller\'s number, name and forwarding number are sealed and found through a keyed index', async () => {
      // Arrange
      const t = app();
      const { a } = await twoClients(t);

      // Act
      const call = await answeredCall(t, a.numbers[0], CALLER, { ForwardedFrom: '+442079460986' });

      // Assert
      const cipher = testCipher();
      const { rows } = await t.container.db.query<{ from_number: string; caller_name: string; forwarded_from: string; from_index: string }>(
        'SELECT from_number, caller_name, forwarded_from, from_index FROM calls WHERE id = $1',
        [call.id],
      );
      expect(rows[0].from_number).toMatch(/^pd1\.test1\./);
      expect(rows[0].caller_name).toMatch(/^pd1\.test1\./);
      expect(rows[0].forwarded_from).toMatch(/^pd1\.test1\./);
      expect(cipher.open(rows[0].from_number)).toBe(CALLER);
      expect(cipher.open(rows[0].caller_name)).toBe(CALLER_NAME);
      expect(cipher.open(rows[0].forwarded_from)).toBe('+442079460986');
      expect(rows[0].from_index).toBe(cipher.index('phone', CALLER));
      expect(await callById(t, call.id)).toMatchObject({ from: CALLER, callerName: CALLER_NAME, forwardedFrom: '+442079460986' });
    });

    maybe('when a visit is stored, then its IP is sealed', async () => {
      const t = app();
      const { a } = await twoClients(t);

      const visitor = await trackedVisitor(t, a);

      await rowsOfVisit(t, visitor.visitId);
      const { rows } = await t.container.db.query<{ ip_address: string }>('SELECT ip_address FROM visits WHERE id = $1', [visitor.visitId]);
      expect(rows[0].ip_address).toMatch(/^pd1\.test1\./);
      expect(testCipher().open(rows[0].ip_address)).toBe(VISITOR_IP);
    });

    maybe('when a request is stored, then its subject is kept sealed with its keyed index, never in clear', async () => {
      const t = app();
      const { a } = await twoClients(t);

      const access = await carriedOut(t, { clientId: a.clientId, type: 'access', subject: { phone: CALLER } });

      const { rows } = await t.container.db.query<{ subject_sealed: string; subject_index: string }>('SELECT * FROM privacy_requests WHERE id = $1', [access.id]);
      expect(testCipher().open(rows[0].subject_sealed)).toBe(CALLER);
      expect(rows[0].subject_index).toBe(testCipher().index('phone', CALLER));
      for (const form of CALLER_FORMS) expect(JSON.stringify(rows[0])).not.toContain(form);
    });
  });
});
