import request from 'supertest';
import { TEST_ADMIN_KEY, type TestApp } from '../support/test-app';
import { BACKENDS, FORWARD_TO, adminApi, createTrackedSite, expectProblem, placeCall, useTestApp } from '../support/fixtures';

const MINUTE = 60_000;

/** Places `count` calls to the site's first number, `gapMs` apart (0 = all at the same instant); oldest first. */
async function placeCalls(t: TestApp, to: string, count: number, gapMs: number): Promise<{ callSid: string; at: number }[]> {
  const placed: { callSid: string; at: number }[] = [];
  for (let i = 0; i < count; i += 1) {
    if (i > 0) t.clock.advance(gapMs);
    const { callSid } = await placeCall(t, to);
    placed.push({ callSid, at: t.clock.now() });
  }
  return placed;
}

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe.each(BACKENDS)('admin API on %s backends', (backend, available) => {
  const maybe = available ? it : it.skip;
  const app = useTestApp(backend, available);

  describe('authentication', () => {
    maybe.each([
      ['no Authorization header', undefined],
      ['a wrong key', 'Bearer ctk_admin_not_the_right_key_000000'],
      ['an empty bearer', 'Bearer '],
      ['another scheme', 'Basic YWRtaW46YWRtaW4='],
    ])('when a request has %s, then 401 problem and nothing is created', async (_label, authorization) => {
      // Arrange
      const t = app();
      const before = await adminApi(t).get('/v1/clients').expect(200);

      // Act
      const post = request(t.app).post('/v1/clients');
      const get = request(t.app).get('/v1/calls');
      if (authorization) {
        post.set('Authorization', authorization);
        get.set('Authorization', authorization);
      }
      const created = await post.send({ name: 'Intruder Ltd' });
      const listed = await get;

      // Assert
      expectProblem(created, 401);
      expectProblem(listed, 401);
      expect((await adminApi(t).get('/v1/clients').expect(200)).body.data).toHaveLength(before.body.data.length);
    });
  });

  describe('strict request bodies', () => {
    maybe('when a client is created with an unknown field, then 400 problem naming the field', async () => {
      // Arrange
      const t = app();

      // Act
      const res = await adminApi(t).post('/v1/clients', { name: 'Acme', colour: 'blue' });

      // Assert
      expectProblem(res, 400);
      expect(res.body.detail).toMatch(/colour/);
    });

    maybe('when a site is created with an unknown field, then 400 problem naming the field', async () => {
      // Arrange
      const t = app();
      const client = await adminApi(t).post('/v1/clients', { name: 'Acme' }).expect(201);

      // Act
      const res = await adminApi(t).post('/v1/sites', { clientId: client.body.id, name: 'Acme', domains: ['shop.example'], tracking: true });

      // Assert
      expectProblem(res, 400);
      expect(res.body.detail).toMatch(/tracking/);
    });

    maybe('when a pool is created or provisioned with an unknown field, then 400 problem naming the field', async () => {
      // Arrange
      const t = app();
      const { siteId, poolId } = await createTrackedSite(t);

      // Act
      const pool = await adminApi(t).post('/v1/pools', { siteId, name: 'Extra', forwardTo: FORWARD_TO, leaseMinutes: 5 });
      const numbers = await adminApi(t).post(`/v1/pools/${poolId}/numbers`, { count: 1, country: 'GB', pattern: '*' });

      // Assert
      expectProblem(pool, 400);
      expect(pool.body.detail).toMatch(/leaseMinutes/);
      expectProblem(numbers, 400);
      expect(numbers.body.detail).toMatch(/pattern/);
    });

    maybe('when a swap target is not E.164, then 400 problem naming swapTargets', async () => {
      // Arrange
      const t = app();
      const client = await adminApi(t).post('/v1/clients', { name: 'Acme' }).expect(201);

      // Act
      const res = await adminApi(t).post('/v1/sites', { clientId: client.body.id, name: 'Acme', domains: ['shop.example'], swapTargets: ['+441134960000', '020 7946 0000'] });

      // Assert
      expectProblem(res, 400);
      expect(res.body.detail).toMatch(/swapTargets\.1/);
    });

    maybe('when forwardTo is not E.164, then 400 problem naming forwardTo', async () => {
      // Arrange
      const t = app();
      const { siteId } = await createTrackedSite(t, { numbers: 0 });

      // Act
      const res = await adminApi(t).post('/v1/pools', { siteId, name: 'Main', forwardTo: '0113 496 0999' });

      // Assert
      expectProblem(res, 400);
      expect(res.body.detail).toMatch(/forwardTo/);
    });

    maybe('when the body is not valid JSON, then 400 problem', async () => {
      // Arrange
      const t = app();

      // Act
      const res = await request(t.app).post('/v1/clients').set('Authorization', `Bearer ${TEST_ADMIN_KEY}`).type('json').send('{"name": ');

      // Assert
      expectProblem(res, 400);
    });

    maybe('when the body is larger than the API accepts, then 413 problem', async () => {
      // Arrange
      const t = app();

      // Act
      const res = await adminApi(t).post('/v1/clients', { name: 'x'.repeat(100_000) });

      // Assert
      expectProblem(res, 413);
    });
  });

  describe('references to other resources', () => {
    maybe('when a site names a client that does not exist, then 404 problem', async () => {
      // Arrange
      const t = app();

      // Act
      const res = await adminApi(t).post('/v1/sites', { clientId: '00000000-0000-4000-8000-000000000000', name: 'Acme', domains: ['shop.example'] });

      // Assert
      expectProblem(res, 404);
    });

    maybe('when a pool names a site that does not exist, then 404 problem', async () => {
      // Arrange
      const t = app();

      // Act
      const res = await adminApi(t).post('/v1/pools', { siteId: '00000000-0000-4000-8000-000000000000', name: 'Main', forwardTo: FORWARD_TO });

      // Assert
      expectProblem(res, 404);
    });

    maybe.each([
      ['/v1/calls/not-a-uuid', 400],
      ['/v1/calls/00000000-0000-4000-8000-000000000000', 404],
      ['/v1/sites/not-a-uuid', 400],
      ['/v1/sites/00000000-0000-4000-8000-000000000000', 404],
      ['/v1/pools/00000000-0000-4000-8000-000000000000', 404],
      ['/v1/clients/not-a-uuid', 404],
      ['/v1/no-such-thing', 404],
    ])('when GET %s, then %i problem', async (url, status) => {
      // Arrange
      const t = app();

      // Act
      const res = await adminApi(t).get(url);

      // Assert
      expectProblem(res, status);
    });
  });

  describe('listing calls', () => {
    maybe('when five calls are paged two at a time, then following nextCursor visits each call once and ends with null', async () => {
      // Arrange: five calls, the middle two at the same instant, so paging must break ties.
      const t = app();
      const { siteId, numbers } = await createTrackedSite(t);
      const early = await placeCalls(t, numbers[0], 2, MINUTE);
      t.clock.advance(MINUTE);
      const sameInstant = await placeCalls(t, numbers[0], 2, 0);
      t.clock.advance(MINUTE);
      const late = await placeCalls(t, numbers[0], 1, 0);
      const placed = [...early, ...sameInstant, ...late];

      // Act
      const pages: { data: { callSid: string; startedAt: string }[]; nextCursor: string | null }[] = [];
      let cursor: string | null = null;
      do {
        const query: string = `/v1/calls?siteId=${siteId}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const res = await adminApi(t).get(query).expect(200);
        pages.push(res.body);
        cursor = res.body.nextCursor;
      } while (cursor !== null && pages.length < 10);

      // Assert
      expect(pages.map((p) => p.data.length)).toEqual([2, 2, 1]);
      expect(pages[pages.length - 1].nextCursor).toBeNull();
      const seen = pages.flatMap((p) => p.data);
      expect(new Set(seen.map((c) => c.callSid)).size).toBe(5);
      expect(seen.map((c) => c.callSid).sort()).toEqual(placed.map((c) => c.callSid).sort());
      const times = seen.map((c) => Date.parse(c.startedAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });

    maybe('when from and to are given, then only calls started at or after from and before to are listed', async () => {
      // Arrange: calls at T, T+1m, T+2m, T+3m.
      const t = app();
      const { siteId, numbers } = await createTrackedSite(t);
      const placed = await placeCalls(t, numbers[0], 4, MINUTE);
      const from = new Date(placed[1].at).toISOString();
      // The same instant as placed[3], written with an offset: excluded, because `to` is exclusive.
      const to = new Date(placed[3].at + 60 * MINUTE).toISOString().replace('Z', '+01:00');

      // Act
      const res = await adminApi(t).get(`/v1/calls?siteId=${siteId}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);

      // Assert
      expect(res.status).toBe(200);
      expect(res.body.data.map((c: { callSid: string }) => c.callSid)).toEqual([placed[2].callSid, placed[1].callSid]);
      expect(res.body.nextCursor).toBeNull();
    });

    maybe.each([
      ['a cursor that is not base64 JSON', 'not-a-cursor!'],
      ['a cursor holding an object', cursorOf({ startedAt: '2026-11-30T10:00:00.000Z' })],
      ['a cursor with a bad id', cursorOf(['2026-11-30T10:00:00.000Z', 'not-a-uuid'])],
      ['a cursor with a bad time', cursorOf(['yesterday', '00000000-0000-4000-8000-000000000000'])],
      ['a cursor that is JSON null', cursorOf(null)],
      ['a cursor in the year 0', cursorOf(['0000-01-01T00:00:00.000Z', '00000000-0000-4000-8000-000000000000'])],
    ])('when the calls list gets %s, then 400 problem', async (_label, cursor) => {
      // Arrange
      const t = app();

      // Act
      const res = await adminApi(t).get(`/v1/calls?cursor=${encodeURIComponent(cursor)}`);

      // Assert
      expectProblem(res, 400);
      expect(res.body.detail).toMatch(/cursor/i);
    });

    maybe.each([
      ['limit=0'],
      ['limit=501'],
      ['limit=two'],
      ['from=yesterday'],
      ['to=2026-11-30'],
      ['from=0000-01-01T00:00:00Z'],
      ['to=0001-01-01T00:00:00%2B14:00'],
      ['from=9999-12-31T23:59:59-01:00'],
      ['siteId=acme'],
      ['sort=asc'],
      ['limit=1&limit=2'],
    ])('when the calls list is queried with %s, then 400 problem', async (query) => {
      // Arrange
      const t = app();

      // Act
      const res = await adminApi(t).get(`/v1/calls?${query}`);

      // Assert
      expectProblem(res, 400);
    });
  });
});
