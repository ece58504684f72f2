import { randomBytes, randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { RetentionJob, type RetentionCounts } from '../../src/privacy/retention/retention-job';
import { SqlRetentionStore, type RetentionStore } from '../../src/privacy/retention/retention-store';
import { ensureActivityPartitions, listMonthPartitions } from '../../src/db/partitions';
import { poolSettings } from '../../src/pool/pool-config-store';
import { adminApi, BACKENDS, createTrackedSite, expectProblem, FORWARD_TO, inboundCall, visitWithNumber, WEBHOOKS } from '../support/fixtures';
import { connectTestRedis } from '../support/redis';
import { redisKeysMentioning } from '../support/redis-scan';
import { startTestApp, type TestApp } from '../support/test-app';
import { sendSignedWebhook } from '../support/twilio-webhooks';

/**
 * The retention job on the whole service: data is made through the public API and webhooks (or, for
 * volume, SQL) at moments the test clock sets, the clock moves past retention, and the job runs. Then
 * SQL (and, on the real backend, a scan of every Redis key of the app) proves that nothing past
 * retention survives and that everything younger is untouched.
 */

const DAY = 24 * 60 * 60 * 1000;
const CALLER = '+442079460123';
const OTHER_CALLER = '+442079460124';
const NEWSLETTER_VISIT = { url: 'https://shop.example/offers?utm_source=newsletter&utm_medium=email&utm_campaign=spring' };
const NO_COUNTS: RetentionCounts = { visits: 0, pageViews: 0, leases: 0, consents: 0, callsDetached: 0, callsAnonymised: 0, callLegs: 0, callEvents: 0, poolHolders: 0, partitionsDropped: 0 };

/** The columns that identify a person (or lead to one) and must be empty on an anonymised call. */
const PERSONAL_CALL_COLUMNS = [
  'from_number', 'from_index', 'caller_name', 'forwarded_from', 'from_city', 'from_state', 'from_zip', 'from_country', 'stir_verstat',
  'visit_id', 'previous_call_id', 'lease_token', 'recording_sid', 'recording_url', 'recording_duration_seconds', 'recording_kind', 'dial_call_sid',
] as const;
/** What an anonymised call keeps for the client's statistics. */
const KEPT_CALL_COLUMNS = [
  'id', 'call_sid', 'site_id', 'pool_id', 'number_id', 'to_number', 'status', 'duration_seconds', 'talk_seconds', 'started_at', 'answered_at',
  'ended_at', 'attribution', 'static_source', 'forwarded_to', 'dial_status',
] as const;

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const sid = (prefix: 'CA' | 'RE') => `${prefix}${hex(16)}`;

describe.each(BACKENDS)('retention on %s backends', (backend, available) => {
  const maybe = available ? it : it.skip;
  let t: TestApp;

  beforeEach(async () => {
    if (available) t = await startTestApp(backend, { RETENTION_BATCH_SIZE: '10' });
  });
  afterEach(async () => {
    if (available) await t.close();
  });

  const sql = async <T = Record<string, unknown>>(text: string, params: unknown[] = []) => (await t.container.db.query<T>(text, params)).rows;
  const count = async (text: string, params: unknown[] = []) => (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM ${text}`, params))[0].n;
  const setClock = (iso: string) => t.clock.advance(Date.parse(iso) - t.clock.now());
  async function runRetention(): Promise<RetentionCounts> {
    await t.container.pageViews.flush();
    return t.container.retention.run(t.clock.now());
  }

  /** A call from `from` to `to` that was answered and forwarded, with a recording: every caller detail Twilio sends. */
  async function answeredCall(to: string, from = CALLER): Promise<{ callSid: string; legSid: string }> {
    const callSid = sid('CA');
    const legSid = sid('CA');
    const voice = { ...inboundCall(to, callSid), From: from, Caller: from, CallerName: 'JANE DOE', ForwardedFrom: '+442079460456', FromCity: 'LONDON', FromState: 'ENGLAND', FromZip: 'EC1A 1BB' };
    await sendSignedWebhook(t.app, WEBHOOKS.voice, voice).expect(200);
    const leg = { CallSid: legSid, ParentCallSid: callSid, CallStatus: 'completed', CallDuration: '50', SequenceNumber: '3', To: FORWARD_TO, From: from };
    await sendSignedWebhook(t.app, '/webhooks/twilio/number-status', leg).expect(204);
    await sendSignedWebhook(t.app, WEBHOOKS.dial, { CallSid: callSid, From: from, DialCallStatus: 'completed', DialCallSid: legSid, DialCallDuration: '50' }).expect(200);
    const recording = { CallSid: callSid, RecordingSid: sid('RE'), RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/AC${'0'.repeat(32)}/Recordings/${hex(4)}`, RecordingStatus: 'completed', RecordingDuration: '48' };
    await sendSignedWebhook(t.app, '/webhooks/twilio/recording', recording).expect(204);
    await sendSignedWebhook(t.app, WEBHOOKS.status, { CallSid: callSid, CallStatus: 'completed', CallDuration: '56', SequenceNumber: '9', To: to, From: from }).expect(204);
    return { callSid, legSid };
  }

  async function recordConsent(siteId: string, visitorId: string): Promise<void> {
    await sql(`INSERT INTO consents (site_id, visitor_id, state, recorded_at) VALUES ($1, $2, 'given', $3)`, [siteId, visitorId, new Date(t.clock.now())]);
  }

  const callRow = async (callSid: string) => (await sql('SELECT * FROM calls WHERE call_sid = $1', [callSid]))[0];

  /** Counts of rows past the activity cut-off, per table: all must be 0 after a run. */
  async function activityOlderThan(cutoff: number) {
    const at = new Date(cutoff);
    return {
      visits: await count('visits WHERE last_seen_at < $1', [at]),
      pageViews: await count('page_views WHERE viewed_at < $1', [at]),
      leases: await count('leases WHERE ended_at < $1', [at]),
      consents: await count('consents WHERE recorded_at < $1', [at]),
    };
  }

  maybe('when website activity is past retention, then it is deleted, its calls keep their source, and younger activity stays', async () => {
    // Arrange: an old visit with its page view, lease, consent and call; 31 days later a young one.
    const site = await createTrackedSite(t, { numbers: 2 });
    const old = await visitWithNumber(t, site.siteKey, NEWSLETTER_VISIT);
    await recordConsent(site.siteId, old.visitorId);
    const oldCall = await answeredCall(old.number.e164);
    const oldAt = t.clock.now();
    t.clock.advance(31 * DAY);
    const young = await visitWithNumber(t, site.siteKey, { url: 'https://shop.example/' });
    await recordConsent(site.siteId, young.visitorId);
    const youngCall = await answeredCall(young.number.e164, OTHER_CALLER);
    // An ambiguous call names the old visit only among its candidates.
    const ambiguous = await insertCall({ siteId: site.siteId, startedAt: oldAt + 60_000, from: OTHER_CALLER, visitId: young.visitId, candidates: [young.visitId, old.visitId] });
    await t.container.leaseHistory.flush();
    expect(await count('leases WHERE visit_id = $1 AND ended_at IS NOT NULL', [old.visitId])).toBe(1);

    // Act
    const counts = await runRetention();

    // Assert: nothing older than 30 days is left; the old call keeps its source but not its visit.
    const cutoff = t.clock.now() - 30 * DAY;
    expect(await activityOlderThan(cutoff)).toEqual({ visits: 0, pageViews: 0, leases: 0, consents: 0 });
    expect(counts).toMatchObject({ visits: 1, pageViews: 1, leases: 1, consents: 1, callsDetached: 1, callsAnonymised: 0 });
    expect(await callRow(oldCall.callSid)).toMatchObject({ visit_id: null, attribution_candidates: [], source: 'newsletter', medium: 'email', campaign: 'spring', anonymised_at: null });
    expect((await callRow(oldCall.callSid)).from_number).not.toBeNull();
    expect(await count('calls WHERE attribution_candidates::text LIKE $1', [`%${old.visitId}%`])).toBe(0);
    expect(await callRow(ambiguous)).toMatchObject({ visit_id: young.visitId, attribution_candidates: [{ visitId: young.visitId, leaseToken: 1, endedAt: null }] });

    expect(await count('visits WHERE id = $1', [young.visitId])).toBe(1);
    expect(await count('page_views WHERE visit_id = $1', [young.visitId])).toBe(1);
    expect(await count('leases WHERE visit_id = $1', [young.visitId])).toBe(1);
    expect(await count('consents WHERE visitor_id = $1', [young.visitorId])).toBe(1);
    expect(await callRow(youngCall.callSid)).toMatchObject({ visit_id: young.visitId, source: null });

    // The pool store no longer names the old visit as a holder of any number, however long the grace.
    const pool = await t.container.stores.pools.findById(site.poolId as string);
    for (const { id } of await sql<{ id: string }>('SELECT id FROM tracking_numbers WHERE pool_id = $1', [site.poolId])) {
      const { live, recent } = await t.container.poolStore.holders({ ...poolSettings(pool!), graceMs: 365 * DAY }, id, t.clock.now());
      expect([live?.visitId, ...recent.map((h) => h.visitId)]).not.toContain(old.visitId);
    }
  });

  // Only the real backend has Redis keys to scan.
  if (backend === 'real') maybe('when website activity is past retention, then no Redis key of the app mentions its visit', async () => {
    const site = await createTrackedSite(t, { numbers: 2 });
    const old = await visitWithNumber(t, site.siteKey, NEWSLETTER_VISIT);
    await answeredCall(old.number.e164);
    t.clock.advance(31 * DAY);
    const young = await visitWithNumber(t, site.siteKey, { url: 'https://shop.example/' });
    await t.container.leaseHistory.flush();
    const redis: Redis = connectTestRedis();
    try {
      // The old visit is still remembered as a recent holder of its number (that is what the job clears).
      expect(await redisKeysMentioning(redis, t.config.redisKeyPrefix, [old.visitId])).not.toEqual([]);

      await runRetention();

      expect(await redisKeysMentioning(redis, t.config.redisKeyPrefix, [old.visitId, old.visitorId])).toEqual([]);
      expect(await redisKeysMentioning(redis, t.config.redisKeyPrefix, [young.visitId])).not.toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  maybe('when call records are past retention, then they are anonymised keeping date, duration, status, source and pool; a second run changes nothing', async () => {
    // Arrange: activity kept ten years, so the visit is still there when its call is anonymised.
    const site = await createTrackedSite(t, { numbers: 2 });
    await adminApi(t).patch(`/v1/clients/${site.clientId}`, { activityRetentionDays: 3650 }).expect(200);
    const old = await visitWithNumber(t, site.siteKey, NEWSLETTER_VISIT);
    const oldCall = await answeredCall(old.number.e164);
    const unrouted = await insertCall({ siteId: null, startedAt: t.clock.now(), from: OTHER_CALLER });
    setClock('2027-11-30T10:00:00Z');
    const repeatCall = await answeredCall(site.numbers[0]);
    expect((await callRow(repeatCall.callSid)).previous_call_id).toBe((await callRow(oldCall.callSid)).id);
    const before = await callRow(oldCall.callSid);
    for (const column of PERSONAL_CALL_COLUMNS.filter((c) => c !== 'previous_call_id')) expect([column, before[column]]).not.toEqual([column, null]);

    // Act 1: twelve months on, nothing is due yet.
    expect(await runRetention()).toEqual(NO_COUNTS);

    // Act 2: thirteen months and a minute after the first call.
    setClock('2027-12-30T10:01:00Z');
    const counts = await runRetention();

    // Assert
    expect(counts).toMatchObject({ callsAnonymised: 2, callLegs: 1, visits: 0 });
    const after = await callRow(oldCall.callSid);
    for (const column of PERSONAL_CALL_COLUMNS) expect([column, after[column]]).toEqual([column, null]);
    for (const column of KEPT_CALL_COLUMNS) expect([column, after[column]]).toEqual([column, before[column]]);
    expect(after).toMatchObject({ attribution_candidates: [], source: 'newsletter', medium: 'email', campaign: 'spring', duration_seconds: 56, status: 'completed', attribution: 'lease' });
    expect((after.anonymised_at as Date).getTime()).toBe(t.clock.now());
    expect(await count('call_legs WHERE parent_call_sid = $1', [oldCall.callSid])).toBe(0);
    expect(await count('call_events WHERE call_sid = ANY($1)', [[oldCall.callSid, oldCall.legSid]])).toBe(0);
    expect(await callRow(unrouted)).toMatchObject({ from_number: null, from_index: null });
    expect((await callRow(unrouted)).anonymised_at).not.toBeNull();

    // The younger call is untouched, except that it no longer points at the anonymised one.
    const repeat = await callRow(repeatCall.callSid);
    expect(repeat).toMatchObject({ previous_call_id: null, anonymised_at: null, caller_name: expect.any(String) });
    expect(repeat.from_number).not.toBeNull();
    expect(await count('call_legs WHERE parent_call_sid = $1', [repeatCall.callSid])).toBe(1);

    // Nothing left to do: the second run changes nothing.
    const snapshot = await sql('SELECT * FROM calls ORDER BY call_sid');
    expect(await runRetention()).toEqual(NO_COUNTS);
    expect(await sql('SELECT * FROM calls ORDER BY call_sid')).toEqual(snapshot);
  });

  maybe("when a site overrides its client's retention, then the site's setting wins", async () => {
    const strict = await createTrackedSite(t);
    const lenient = await createTrackedSite(t);
    for (const s of [strict, lenient]) await adminApi(t).patch(`/v1/clients/${s.clientId}`, { activityRetentionDays: 90, callRetentionMonths: 24 }).expect(200);
    await adminApi(t).patch(`/v1/sites/${strict.siteId}`, { activityRetentionDays: 10, callRetentionMonths: 1 }).expect(200);
    const visits = await Promise.all([strict, lenient].map((s) => visitWithNumber(t, s.siteKey, NEWSLETTER_VISIT)));
    const calls = [await answeredCall(strict.numbers[0]), await answeredCall(lenient.numbers[0], OTHER_CALLER)];
    t.clock.advance(40 * DAY);

    const counts = await runRetention();

    expect(counts).toMatchObject({ visits: 1, callsAnonymised: 1 });
    expect(await count('visits WHERE id = $1', [visits[0].visitId])).toBe(0);
    expect(await count('visits WHERE id = $1', [visits[1].visitId])).toBe(1);
    expect((await callRow(calls[0].callSid)).anonymised_at).not.toBeNull();
    expect(await callRow(calls[1].callSid)).toMatchObject({ anonymised_at: null, visit_id: visits[1].visitId });

    const reset = await adminApi(t).patch(`/v1/sites/${lenient.siteId}`, { activityRetentionDays: 30, callRetentionMonths: null }).expect(200);
    expect(reset.body).toMatchObject({ activityRetentionDays: 30, callRetentionMonths: null });
    expect(await runRetention()).toMatchObject({ visits: 1, callsAnonymised: 0 });
  });

  maybe('when a run is interrupted after one batch, then the next run finishes the work', async () => {
    // Arrange: 25 old visits and 25 old calls, in batches of 10. Another client keeps its activity ten
    // years, so no month is past every site's retention: the visits go batch by batch, not by the month.
    const site = await createTrackedSite(t);
    await adminApi(t).patch(`/v1/clients/${(await createTrackedSite(t)).clientId}`, { activityRetentionDays: 3650 }).expect(200);
    const oldAt = t.clock.now();
    for (let i = 0; i < 25; i += 1) {
      await sql(
        `INSERT INTO visits (id, site_id, visitor_id, started_at, last_seen_at, landing_page, source, medium, ip_address)
         VALUES ($1, $2, $3, $4, $4, 'https://shop.example/', 'google', 'organic', '198.51.100.7')`,
        [`vs_old${i}`, site.siteId, `vr_old${i}`, new Date(oldAt)],
      );
      await insertCall({ siteId: site.siteId, startedAt: oldAt + i, from: `+4420794601${String(i).padStart(2, '0')}`, visitId: `vs_old${i}`, poolId: site.poolId });
    }
    setClock('2028-01-01T00:00:00Z');
    const crashing = (method: keyof RetentionStore) => new RetentionJob(crashAfterOneBatch(new SqlRetentionStore(t.container.db), method), t.container.stores.pools, t.container.poolStore, 10, async () => undefined);

    // Act 1: the first run dies after one batch of visits.
    await expect(crashing('deleteVisits').run(t.clock.now())).rejects.toThrow('simulated crash');
    expect(await count('visits WHERE site_id = $1', [site.siteId])).toBe(15);
    expect(await count('calls WHERE visit_id IS NULL AND source = $1', ['google'])).toBe(10);

    // Act 2: the next dies after one batch of calls.
    await expect(crashing('anonymiseCalls').run(t.clock.now())).rejects.toThrow('simulated crash');
    expect(await count('visits WHERE site_id = $1', [site.siteId])).toBe(0);
    expect(await count('calls WHERE anonymised_at IS NOT NULL')).toBe(10);

    // Act 3: a whole run.
    const counts = await runRetention();

    // Assert: everything is done, each row once.
    expect(counts).toMatchObject({ visits: 0, callsAnonymised: 15 });
    expect(await count('calls WHERE anonymised_at IS NULL OR from_number IS NOT NULL OR visit_id IS NOT NULL')).toBe(0);
    expect(await count("calls WHERE source = 'google' AND medium = 'organic'")).toBe(25);
    expect(await count('call_events')).toBe(0);
    expect(await runRetention()).toEqual(NO_COUNTS);
  });

  describe('whole months (partitions of visits and page views)', () => {
    const partitionNames = async () => [...(await listMonthPartitions(t.container.db, 'visits')), ...(await listMonthPartitions(t.container.db, 'page_views'))].map((p) => p.name);

    maybe('when a month is past every site\'s retention, then its partitions are dropped, its calls keep their source, and younger months are untouched', async () => {
      // Arrange: this month's and next month's partitions; an old visit (with page view and call) now, a young one next month.
      setClock('2026-11-20T10:00:00Z');
      await ensureActivityPartitions(t.container.db, new Date(t.clock.now()), 1);
      const site = await createTrackedSite(t, { numbers: 2 });
      const old = await visitWithNumber(t, site.siteKey, NEWSLETTER_VISIT);
      const oldCall = await answeredCall(old.number.e164);
      const ambiguous = await insertCall({ siteId: site.siteId, startedAt: t.clock.now() + 60_000, from: OTHER_CALLER, visitId: old.visitId, candidates: [old.visitId] });
      setClock('2026-12-15T10:00:00Z');
      const young = await visitWithNumber(t, site.siteKey, { url: 'https://shop.example/' });
      const later = await insertCall({ siteId: site.siteId, startedAt: t.clock.now(), from: OTHER_CALLER, visitId: young.visitId });
      await t.container.leaseHistory.flush();
      setClock('2027-01-05T00:00:00Z');

      // Act: 30 days back is 6 December, after the whole of November.
      const counts = await runRetention();

      // Assert: November is gone as partitions, December stays; calls kept the old visit's source.
      expect(counts).toMatchObject({ partitionsDropped: 2, visits: 1, pageViews: 1, callsDetached: 2 });
      expect(await partitionNames()).not.toEqual(expect.arrayContaining(['visits_2026_11']));
      expect(await partitionNames()).toEqual(expect.arrayContaining(['visits_2026_12', 'page_views_2026_12']));
      expect(await partitionNames()).not.toContain('page_views_2026_11');
      expect(await callRow(oldCall.callSid)).toMatchObject({ visit_id: null, attribution_candidates: [], source: 'newsletter', medium: 'email', campaign: 'spring' });
      expect(await callRow(ambiguous)).toMatchObject({ visit_id: null, attribution_candidates: [], source: 'newsletter' });
      expect(await callRow(later)).toMatchObject({ visit_id: young.visitId, attribution_candidates: [{ visitId: young.visitId, leaseToken: 1, endedAt: null }] });
      expect(await count('visits WHERE id = $1', [young.visitId])).toBe(1);
      expect(await count('page_views WHERE visit_id = $1', [young.visitId])).toBe(1);
      expect(await runRetention()).toEqual(NO_COUNTS);
    });

    maybe('when a month is past one site\'s retention but not past another\'s, then it stays and the first site\'s rows go one by one', async () => {
      setClock('2026-11-20T10:00:00Z');
      await ensureActivityPartitions(t.container.db, new Date(t.clock.now()), 1);
      const [strict, lenient] = [await createTrackedSite(t), await createTrackedSite(t)];
      await adminApi(t).patch(`/v1/clients/${lenient.clientId}`, { activityRetentionDays: 90 }).expect(200);
      const visits = await Promise.all([strict, lenient].map((s) => visitWithNumber(t, s.siteKey, NEWSLETTER_VISIT)));
      setClock('2027-01-05T00:00:00Z');

      const counts = await runRetention();

      expect(counts).toMatchObject({ partitionsDropped: 0, visits: 1, pageViews: 1 });
      expect(await partitionNames()).toEqual(expect.arrayContaining(['visits_2026_11', 'page_views_2026_11']));
      expect(await count('visits WHERE id = $1', [visits[0].visitId])).toBe(0);
      expect(await count('visits WHERE id = $1', [visits[1].visitId])).toBe(1);
    });
  });

  maybe('when retention settings are patched, then the client and site views show them, and invalid values are refused', async () => {
    const site = await createTrackedSite(t);
    const api = adminApi(t);
    expect((await api.get(`/v1/clients/${site.clientId}`).expect(200)).body).toMatchObject({ activityRetentionDays: 30, callRetentionMonths: 13 });
    expect((await api.get(`/v1/sites/${site.siteId}`).expect(200)).body).toMatchObject({ activityRetentionDays: null, callRetentionMonths: null });

    expect((await api.patch(`/v1/clients/${site.clientId}`, { activityRetentionDays: 3650, callRetentionMonths: 1 }).expect(200)).body).toMatchObject({ activityRetentionDays: 3650, callRetentionMonths: 1 });
    expect((await api.patch(`/v1/sites/${site.siteId}`, { activityRetentionDays: 1 }).expect(200)).body).toMatchObject({ activityRetentionDays: 1, callRetentionMonths: null });
    expect((await api.patch(`/v1/sites/${site.siteId}`, { honorDnt: true }).expect(200)).body).toMatchObject({ activityRetentionDays: 1, honorDnt: true });

    const clientBefore = (await api.get(`/v1/clients/${site.clientId}`)).body;
    const siteBefore = (await api.get(`/v1/sites/${site.siteId}`)).body;
    for (const body of [{ activityRetentionDays: 0 }, { activityRetentionDays: 3651 }, { callRetentionMonths: 121 }, { callRetentionMonths: 1.5 }, { activityRetentionDays: '30' }, { activityRetentionDays: null }]) {
      expectProblem(await api.patch(`/v1/clients/${site.clientId}`, body), 400);
    }
    for (const body of [{ activityRetentionDays: 0 }, { callRetentionMonths: 0 }, { callRetentionMonths: '13' }, { retentionDays: 5 }]) {
      expectProblem(await api.patch(`/v1/sites/${site.siteId}`, body), 400);
    }
    expect((await api.get(`/v1/clients/${site.clientId}`)).body).toEqual(clientBefore);
    expect((await api.get(`/v1/sites/${site.siteId}`)).body).toEqual(siteBefore);
  });

  /** A call row as the webhooks would leave it, with its webhook log. */
  async function insertCall(c: { siteId: string | null; startedAt: number; from: string; visitId?: string; candidates?: string[]; poolId?: string | null }): Promise<string> {
    const callSid = sid('CA');
    await sql(
      `INSERT INTO calls (id, call_sid, site_id, pool_id, from_number, from_index, caller_name, to_number, status, status_rank, duration_seconds,
                          started_at, visit_id, attribution, attribution_candidates, inbound_recorded)
       VALUES ($1, $2, $3, $4, $5, $6, 'JANE DOE', '+442079460999', 'completed', 9, 30, $7, $8, $9, $10::jsonb, true)`,
      [randomUUID(), callSid, c.siteId, c.poolId ?? null, c.from, `idx-${hex(4)}`, new Date(c.startedAt), c.visitId ?? null, c.visitId ? 'lease' : 'none',
        JSON.stringify((c.candidates ?? (c.visitId ? [c.visitId] : [])).map((visitId) => ({ visitId, leaseToken: 1, endedAt: null })))],
    );
    await sql(`INSERT INTO call_events (call_sid, event_key, status) VALUES ($1, 'status:seq:0', 'completed')`, [callSid]);
    return callSid;
  }
});

/** The store, except that `method` throws on its second call: a process that died mid-run. */
function crashAfterOneBatch(store: RetentionStore, method: keyof RetentionStore): RetentionStore {
  let calls = 0;
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property !== method || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return (...args: unknown[]) => {
        calls += 1;
        if (calls > 1) return Promise.reject(new Error('simulated crash'));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
