import request from 'supertest';
import type { TestApp } from '../support/test-app';
import { BACKENDS, createTrackedSite, expectProblem, useTestApp, visitWithNumber } from '../support/fixtures';

const SECOND = 1000;
const ORIGIN = 'https://shop.example';
const VISITOR = 'vr_consentTestVisitor0001';

/** What the tracking script sends: a text/plain JSON beacon from the site's own pages unless told otherwise. */
function sendConsent(t: TestApp, siteKey: string, body: unknown, origin: string | null = ORIGIN) {
  const req = request(t.app).post(`/t/${siteKey}/consent`).type('text/plain');
  if (origin) req.set('Origin', origin);
  return req.send(typeof body === 'string' ? body : JSON.stringify(body));
}

async function consentsOfSite(t: TestApp, siteId: string): Promise<{ visitor_id: string; state: string; recorded_at: string }[]> {
  const { rows } = await t.container.db.query<{ visitor_id: string; state: string; recorded_at: Date }>(
    'SELECT visitor_id, state, recorded_at FROM consents WHERE site_id = $1 ORDER BY recorded_at',
    [siteId],
  );
  return rows.map((r) => ({ ...r, recorded_at: new Date(r.recorded_at).toISOString() }));
}

describe.each(BACKENDS)('consent API on %s backends', (backend, available) => {
  const maybe = available ? it : it.skip;
  const app = useTestApp(backend, available);

  describe('recording consent', () => {
    maybe('when the script reports consent given for the visitor it registered, then 204 and one given record is stored', async () => {
      // Arrange
      const t = app();
      const { siteId, siteKey } = await createTrackedSite(t);
      const visit = await visitWithNumber(t, siteKey);

      // Act
      const res = await sendConsent(t, siteKey, { visitorId: visit.visitorId, state: 'given' });

      // Assert
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(await consentsOfSite(t, siteId)).toEqual([{ visitor_id: visit.visitorId, state: 'given', recorded_at: new Date(t.clock.now()).toISOString() }]);
    });

    maybe('when the visitor later withdraws, then both answers are kept in order', async () => {
      // Arrange
      const t = app();
      const { siteId, siteKey } = await createTrackedSite(t);
      await sendConsent(t, siteKey, { visitorId: VISITOR, state: 'given' }).expect(204);
      const givenAt = t.clock.now();
      t.clock.advance(60 * SECOND);

      // Act
      const res = await sendConsent(t, siteKey, { visitorId: VISITOR, state: 'withdrawn' });

      // Assert
      expect(res.status).toBe(204);
      expect(await consentsOfSite(t, siteId)).toEqual([
        { visitor_id: VISITOR, state: 'given', recorded_at: new Date(givenAt).toISOString() },
        { visitor_id: VISITOR, state: 'withdrawn', recorded_at: new Date(givenAt + 60 * SECOND).toISOString() },
      ]);
    });

    maybe('when the body is sent as application/json, then it is accepted as well', async () => {
      // Arrange
      const t = app();
      const { siteId, siteKey } = await createTrackedSite(t);

      // Act
      const res = await request(t.app).post(`/t/${siteKey}/consent`).set('Origin', ORIGIN).send({ visitorId: VISITOR, state: 'given' });

      // Assert
      expect(res.status).toBe(204);
      expect((await consentsOfSite(t, siteId)).map((r) => r.state)).toEqual(['given']);
    });

    maybe('when the site has tracking disabled, then 204 and nothing is stored', async () => {
      // Arrange
      const t = app();
      const { siteId, siteKey } = await createTrackedSite(t, { trackingEnabled: false });

      // Act
      const res = await sendConsent(t, siteKey, { visitorId: VISITOR, state: 'withdrawn' });

      // Assert
      expect(res.status).toBe(204);
      expect(await consentsOfSite(t, siteId)).toEqual([]);
    });

    maybe('when the site key is unknown, then 404 problem', async () => {
      // Arrange
      const t = app();

      // Act
      const withOrigin = await sendConsent(t, 'sk_doesNotExist00', { visitorId: VISITOR, state: 'given' });
      const withoutOrigin = await sendConsent(t, 'sk_doesNotExist00', { visitorId: VISITOR, state: 'given' }, null);

      // Assert
      expectProblem(withOrigin, 404);
      expectProblem(withoutOrigin, 404);
    });
  });

  describe('bad input', () => {
    maybe.each([
      ['an empty body', ''],
      ['a body that is not JSON', '{"visitorId": '],
      ['a JSON array', [VISITOR, 'given']],
      ['no visitorId', { state: 'given' }],
      ['no state', { visitorId: VISITOR }],
      ['a state that is not given or withdrawn', { visitorId: VISITOR, state: 'maybe' }],
      ['a boolean state, as ct() takes it', { visitorId: VISITOR, state: true }],
      ['a visitorId too short to be one we issued', { visitorId: 'vr_1', state: 'given' }],
      ['a visitorId longer than 64 characters', { visitorId: `vr_${'a'.repeat(62)}`, state: 'given' }],
      ['a visitorId with characters ours never have', { visitorId: 'vr_abc; DROP TABLE consents', state: 'given' }],
      ['a visitorId that is a number', { visitorId: 12345678, state: 'given' }],
      ['a field the API does not know', { visitorId: VISITOR, state: 'given', email: 'someone@example.com' }],
    ])('when the body has %s, then 400 problem and nothing is stored', async (_label, body) => {
      // Arrange
      const t = app();
      const { siteId, siteKey } = await createTrackedSite(t);

      // Act
      const res = await sendConsent(t, siteKey, body);

      // Assert
      expectProblem(res, 400);
      expect(await consentsOfSite(t, siteId)).toEqual([]);
    });
  });

  describe('CORS', () => {
    maybe.each(['https://evil.example', 'https://shop.example.evil.example', 'null'])(
      'when the Origin %s is not one of the site domains, then 403 problem and nothing is stored',
      async (origin) => {
        // Arrange
        const t = app();
        const { siteId, siteKey } = await createTrackedSite(t);

        // Act
        const res = await sendConsent(t, siteKey, { visitorId: VISITOR, state: 'withdrawn' }, origin);

        // Assert
        expectProblem(res, 403);
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
        expect(await consentsOfSite(t, siteId)).toEqual([]);
      },
    );
  });
});
