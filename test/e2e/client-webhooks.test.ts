import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestApp, TEST_ADMIN_KEY, type TestApp } from '../support/test-app';
import { TEST_PERSONAL_DATA_ENV } from '../support/personal-data';
import { loadConfig } from '../../config';
import { BACKENDS, adminApi, createTrackedSite, expectProblem, useTestApp } from '../support/fixtures';
import { answeredCall, trackedVisitor } from '../support/privacy-fixtures';
import { verifyWebhookSignature } from '../../src/integrations/webhook-signature';
import { retryCeilingMs } from '../../src/integrations/delivery-schedule';
import { postWebhook } from '../../src/integrations/webhook-http';

/**
 * Issue 8, client webhooks: call events reach a client's endpoint signed, retried with backoff
 * through the Postgres outbox, at least once with an idempotency id, and visible through the API.
 * The receiver is a real HTTP server on loopback; time is the test clock, moved past each backoff.
 */

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** The test clock when the request arrived: what its signature's timestamp must match. */
  at: number;
  answered: number;
}

/** A local receiver that answers each delivery (by its Calltracking-Delivery id) from `script`; the last entry repeats. */
async function startReceiver(t: TestApp, script: number[]): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const seen = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const delivery = String(req.headers['calltracking-delivery']);
      const n = seen.get(delivery) ?? 0;
      seen.set(delivery, n + 1);
      const status = script[Math.min(n, script.length - 1)];
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: t.clock.now(), answered: status });
      res.statusCode = status;
      res.end(status >= 400 ? 'not now' : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/calls?token=receiver-own-token`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** +44 20 7946 0xxx: Ofcom's drama range. */
const CALLER = '+442079460142';

describe.each(BACKENDS)('client webhooks on %s backends', (backend, available) => {
  const maybe = available ? it : it.skip;
  const app = useTestApp(backend, available);

  maybe('when the receiver fails twice then succeeds, then each event of a real call is delivered once after the retries, signed, with one idempotency id per delivery', async () => {
    // Arrange: a receiver that answers 500, 500, then 200 to each delivery; a webhook for every event.
    const t = app();
    const receiver = await startReceiver(t, [500, 500, 200]);
    try {
      const site = await createTrackedSite(t);
      const api = adminApi(t);
      const webhook = await api.post('/v1/webhooks', { clientId: site.clientId, url: receiver.url, events: ['call.started', 'call.completed', 'call.attributed'], description: 'CRM' }).expect(201);
      expect(webhook.headers['cache-control']).toBe('no-store');
      expect(webhook.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
      const visitor = await trackedVisitor(t, site);

      // Act: the visitor calls (signed Twilio webhooks: voice, leg progress, dial, completed), then the jobs run as time passes.
      const call = await answeredCall(t, visitor.number.e164, CALLER);
      const first = await t.container.integrations.runNow();
      for (const attempt of [1, 2]) {
        t.clock.advance(retryCeilingMs(attempt) + 1000);
        await t.container.integrations.runNow();
      }
      t.clock.advance(retryCeilingMs(3) + 1000);
      const after = await t.container.integrations.runNow();

      // Assert: three events, three attempts each (500, 500, 200), nothing more afterwards.
      expect(first).toEqual({ events: 3, attempted: 3 });
      expect(after).toEqual({ events: 0, attempted: 0 });
      expect(receiver.received).toHaveLength(9);
      const byDelivery = new Map<string, Received[]>();
      for (const r of receiver.received) byDelivery.set(String(r.headers['calltracking-delivery']), [...(byDelivery.get(String(r.headers['calltracking-delivery'])) ?? []), r]);
      expect(byDelivery.size).toBe(3);
      const events = new Set<string>();
      for (const [deliveryId, attempts] of byDelivery) {
        expect(deliveryId).toMatch(/^[0-9a-f-]{36}$/);
        expect(attempts.map((a) => a.answered)).toEqual([500, 500, 200]);
        expect(attempts.map((a) => a.headers['calltracking-attempt'])).toEqual(['1', '2', '3']);
        // Byte-identical body on every retry; a fresh, valid signature on each.
        expect(new Set(attempts.map((a) => a.body)).size).toBe(1);
        for (const a of attempts) {
          expect(verifyWebhookSignature(webhook.body.secret, String(a.headers['calltracking-signature']), a.body, 300, new Date(a.at))).toBe(true);
          expect(verifyWebhookSignature('whsec_not_the_secret', String(a.headers['calltracking-signature']), a.body, 300, new Date(a.at))).toBe(false);
          expect(a.headers['content-type']).toBe('application/json');
          expect(a.headers['user-agent']).toBe('call-tracking-webhooks/1');
        }
        const body = JSON.parse(attempts[0].body);
        expect(attempts[0].headers['calltracking-event']).toBe(body.type);
        expect(body).toMatchObject({ id: expect.stringMatching(/^evt_\d+$/), data: { call: { id: call.id, callSid: call.callSid, siteId: site.siteId, from: CALLER } } });
        events.add(body.type);
      }
      expect([...events].sort()).toEqual(['call.attributed', 'call.completed', 'call.started']);
      const attributed = JSON.parse(receiver.received.find((r) => r.headers['calltracking-event'] === 'call.attributed')?.body ?? '{}');
      expect(attributed.data.call).toMatchObject({ visitId: visitor.visitId, attribution: 'lease', source: 'google', medium: 'cpc' });

      // The deliveries as the API shows them.
      const listed = await api.get(`/v1/webhooks/${webhook.body.id}/deliveries`).expect(200);
      expect(listed.body.nextCursor).toBeNull();
      expect(listed.body.data).toHaveLength(3);
      for (const d of listed.body.data) {
        expect(byDelivery.has(d.id)).toBe(true);
        expect(d).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200, lastError: null, nextAttemptAt: null, deliveredAt: expect.any(String) });
        expect(JSON.stringify(d.body)).toBe(byDelivery.get(d.id)?.[0].body);
      }
      const delivered = await api.get(`/v1/webhooks/${webhook.body.id}/deliveries?status=delivered&limit=2`).expect(200);
      expect(delivered.body.data).toHaveLength(2);
      const rest = await api.get(`/v1/webhooks/${webhook.body.id}/deliveries?status=delivered&limit=2&cursor=${delivered.body.nextCursor}`).expect(200);
      expect([...delivered.body.data, ...rest.body.data].map((d: { id: string }) => d.id).sort()).toEqual(listed.body.data.map((d: { id: string }) => d.id).sort());
      // A delivered delivery has nothing to retry.
      expectProblem(await api.post(`/v1/webhooks/${webhook.body.id}/deliveries/${listed.body.data[0].id}/retry`, {}), 409);
      // The secret is never shown again.
      const read = await api.get(`/v1/webhooks/${webhook.body.id}`).expect(200);
      expect(JSON.stringify(read.body)).not.toContain(webhook.body.secret);
    } finally {
      await receiver.close();
    }
  });

  maybe('when the receiver always fails, then the delivery is retried for 24 h, then failed with no further attempt, and a retry through the API sends it again', async () => {
    // Arrange
    const t = app();
    const receiver = await startReceiver(t, [503]);
    try {
      const site = await createTrackedSite(t);
      const api = adminApi(t);
      const webhook = await api.post('/v1/webhooks', { clientId: site.clientId, url: receiver.url, events: ['call.started'] }).expect(201);
      const visitor = await trackedVisitor(t, site);
      const start = t.clock.now();

      // Act: the jobs run every (test) hour for a day and a bit.
      await answeredCall(t, visitor.number.e164, CALLER);
      await t.container.integrations.runNow();
      while (t.clock.now() - start < 26 * 3600_000) {
        t.clock.advance(3600_000);
        await t.container.integrations.runNow();
      }
      const attempts = receiver.received.length;
      t.clock.advance(3600_000);
      await t.container.integrations.runNow();

      // Assert
      const [delivery] = (await api.get(`/v1/webhooks/${webhook.body.id}/deliveries`).expect(200)).body.data;
      expect(delivery).toMatchObject({ event: 'call.started', status: 'failed', attempts, lastStatusCode: 503, nextAttemptAt: null, deliveredAt: null });
      expect(delivery.lastError).toContain('24 h');
      expect(attempts).toBeGreaterThanOrEqual(20);
      expect(receiver.received).toHaveLength(attempts);
      expect(new Set(receiver.received.map((r) => r.headers['calltracking-delivery']))).toEqual(new Set([delivery.id]));

      // Act 2: the client asks for it again.
      const retried = await api.post(`/v1/webhooks/${webhook.body.id}/deliveries/${delivery.id}/retry`, {}).expect(200);
      await t.container.integrations.runNow();

      // Assert 2: sent once more, under the same idempotency id.
      expect(retried.body).toMatchObject({ id: delivery.id, status: 'pending' });
      expect(receiver.received).toHaveLength(attempts + 1);
      expect(receiver.received[attempts].headers['calltracking-delivery']).toBe(delivery.id);
    } finally {
      await receiver.close();
    }
  });

  maybe('when the caller is under restricted processing, then the call is recorded but nothing is sent about it', async () => {
    // Arrange
    const t = app();
    const receiver = await startReceiver(t, [200]);
    try {
      const site = await createTrackedSite(t);
      const api = adminApi(t);
      const webhook = await api.post('/v1/webhooks', { clientId: site.clientId, url: receiver.url, events: ['call.started', 'call.completed', 'call.attributed'] }).expect(201);
      const restricted = '+442079460143';
      await api.post('/v1/privacy/requests', { clientId: site.clientId, type: 'restriction', subject: { phone: restricted } }).expect(201);
      const visitor = await trackedVisitor(t, site);

      // Act
      const call = await answeredCall(t, visitor.number.e164, restricted);
      const run = await t.container.integrations.runNow();

      // Assert: the events were consumed, and went nowhere.
      const stored = await t.container.db.query<{ restricted: boolean }>('SELECT restricted FROM calls WHERE id = $1', [call.id]);
      expect(stored.rows[0].restricted).toBe(true);
      expect(run).toEqual({ events: expect.any(Number), attempted: 0 });
      expect(run.events).toBeGreaterThanOrEqual(2);
      expect(receiver.received).toEqual([]);
      expect((await api.get(`/v1/webhooks/${webhook.body.id}/deliveries`).expect(200)).body.data).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  maybe('when a webhook is changed, switched off, rotated and deleted, then deliveries follow: none while off, the new secret signs, pending ones are closed as skipped', async () => {
    // Arrange
    const t = app();
    const receiver = await startReceiver(t, [500, 200]);
    try {
      const site = await createTrackedSite(t, { numbers: 2 });
      const api = adminApi(t);
      const webhook = await api.post('/v1/webhooks', { clientId: site.clientId, url: receiver.url, events: ['call.started'] }).expect(201);

      // Act 1: switched off, a call sends nothing to it.
      await api.patch(`/v1/webhooks/${webhook.body.id}`, { active: false, events: ['call.started', 'call.completed'] }).expect(200);
      await answeredCall(t, (await trackedVisitor(t, site)).number.e164, CALLER);
      await t.container.integrations.runNow();
      expect(receiver.received).toEqual([]);

      // Act 2: on again, secret rotated: a call is signed with the new secret only.
      await api.patch(`/v1/webhooks/${webhook.body.id}`, { active: true }).expect(200);
      const rotated = await api.post(`/v1/webhooks/${webhook.body.id}/rotate-secret`, {}).expect(200);
      expect(rotated.body.secret).not.toBe(webhook.body.secret);
      await answeredCall(t, (await trackedVisitor(t, site)).number.e164, '+442079460144');
      await t.container.integrations.runNow();
      expect(receiver.received.map((r) => r.headers['calltracking-event']).sort()).toEqual(['call.completed', 'call.started']);
      for (const r of receiver.received) {
        const header = String(r.headers['calltracking-signature']);
        expect(verifyWebhookSignature(rotated.body.secret, header, r.body, 300, new Date(r.at))).toBe(true);
        expect(verifyWebhookSignature(webhook.body.secret, header, r.body, 300, new Date(r.at))).toBe(false);
      }

      // Act 3: deleted while both deliveries wait for their retry.
      await api.delete(`/v1/webhooks/${webhook.body.id}`).expect(204);
      t.clock.advance(retryCeilingMs(1) + 1000);
      await t.container.integrations.runNow();

      // Assert
      expect(receiver.received).toHaveLength(2);
      const statuses = await t.container.db.query<{ status: string }>("SELECT status FROM deliveries WHERE target = 'webhook' AND target_id = $1", [webhook.body.id]);
      expect(statuses.rows.map((r) => r.status)).toEqual(['skipped', 'skipped']);
      expectProblem(await api.get(`/v1/webhooks/${webhook.body.id}/deliveries`), 404);
      expectProblem(await api.get(`/v1/webhooks/${webhook.body.id}`), 404);
    } finally {
      await receiver.close();
    }
  });

  maybe('when a webhook is registered with bad input, then 400 and nothing is stored', async () => {
    const t = app();
    const site = await createTrackedSite(t, { numbers: 0 });
    const api = adminApi(t);
    for (const body of [
      { clientId: site.clientId, url: 'ftp://hooks.example.test/x', events: ['call.started'] },
      { clientId: site.clientId, url: 'https://user:pw@hooks.example.test/x', events: ['call.started'] },
      { clientId: site.clientId, url: 'https://hooks.example.test/x', events: [] },
      { clientId: site.clientId, url: 'https://hooks.example.test/x', events: ['call.started', 'call.started'] },
      { clientId: site.clientId, url: 'https://hooks.example.test/x', events: ['call.ended'] },
      { clientId: site.clientId, url: 'https://hooks.example.test/x', events: ['call.started'], secret: 'mine' },
      { clientId: 'not-a-uuid', url: 'https://hooks.example.test/x', events: ['call.started'] },
    ]) {
      expectProblem(await api.post('/v1/webhooks', body), 400);
    }
    expectProblem(await api.post('/v1/webhooks', { clientId: '00000000-0000-4000-8000-000000000000', url: 'https://hooks.example.test/x', events: ['call.started'] }), 404);
    expect((await api.get(`/v1/webhooks?clientId=${site.clientId}`).expect(200)).body.data).toEqual([]);
  });
});

describe('client webhooks where private URLs are refused (production, or WEBHOOK_ALLOW_PRIVATE_URLS=false)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('embedded', { WEBHOOK_ALLOW_PRIVATE_URLS: 'false' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('when the service runs in production, then private URLs are refused unless WEBHOOK_ALLOW_PRIVATE_URLS=true; elsewhere they are allowed unless =false', () => {
    const base = { ...TEST_PERSONAL_DATA_ENV, ADMIN_API_KEY: TEST_ADMIN_KEY, DATABASE_URL: 'postgres://localhost/ct' };

    expect(loadConfig({ ...base, NODE_ENV: 'production' }).webhooks.allowPrivateUrls).toBe(false);
    expect(loadConfig({ ...base, NODE_ENV: 'production', WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }).webhooks.allowPrivateUrls).toBe(true);
    expect(loadConfig({ ...base, NODE_ENV: 'development' }).webhooks.allowPrivateUrls).toBe(true);
    expect(loadConfig({ ...base, NODE_ENV: 'test', WEBHOOK_ALLOW_PRIVATE_URLS: 'false' }).webhooks.allowPrivateUrls).toBe(false);
    expect(() => loadConfig({ ...base, WEBHOOK_ALLOW_PRIVATE_URLS: 'maybe' })).toThrow(/WEBHOOK_ALLOW_PRIVATE_URLS/);
  });

  it('when a URL points at loopback, a private network or the metadata service, then it is refused at registration and a public one is taken', async () => {
    // Arrange
    expect(t.config.webhooks.allowPrivateUrls).toBe(false);
    const site = await createTrackedSite(t, { numbers: 0 });

    for (const url of ['http://127.0.0.1:9/x', 'http://169.254.169.254/latest/meta-data/', 'https://10.0.0.7/x', 'http://localhost:3000/x', 'https://[::1]/x']) {
      // Act
      const res = await adminApi(t).post('/v1/webhooks', { clientId: site.clientId, url, events: ['call.started'] });

      // Assert
      expectProblem(res, 400);
      expect(res.body.issues).toEqual([{ path: 'url', message: expect.stringContaining('must not point at') }]);
    }
    await adminApi(t).post('/v1/webhooks', { clientId: site.clientId, url: 'https://hooks.example.com/calls', events: ['call.started'] }).expect(201);
    const patched = await adminApi(t).get(`/v1/webhooks?clientId=${site.clientId}`).expect(200);
    expectProblem(await adminApi(t).patch(`/v1/webhooks/${patched.body.data[0].id}`, { url: 'http://192.168.1.10/hook' }), 400);
  });

  it('when a host name resolves to a loopback address at send time, then the attempt is refused before connecting', async () => {
    // Arrange: a public-looking name whose DNS answer has turned inward since it was registered (DNS rebinding).
    const rebound = ((_host: string, _options: object, callback: (err: null, addresses: { address: string; family: number }[]) => void) =>
      callback(null, [{ address: '127.0.0.1', family: 4 }])) as unknown as typeof import('node:dns').lookup;

    // Act
    const result = await postWebhook({ url: 'http://hooks.example.com:9/hook', headers: {}, body: '{}' }, { allowPrivate: false, resolve: rebound });

    // Assert
    expect(result).toEqual({ kind: 'error', message: expect.stringContaining('resolves to a non-public address') });
  });
});
