import { gunzipSync } from 'node:zlib';
import request from 'supertest';
import { adminApi, BACKENDS, createTrackedSite, expectProblem, useTestApp } from '../support/fixtures';

/** The answer's body as text (superagent may already have unzipped it; a gzip stream starts 1f 8b). */
function bodyOf(res: request.Response): string {
  const bytes = res.body as Buffer;
  return (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
}

describe.each(BACKENDS)('the tracking script endpoint on %s backends', (backend, available) => {
  const maybe = available ? it : it.skip;
  const app = useTestApp(backend, available);

  const getScript = (siteKey: string, headers: Record<string, string> = {}) =>
    request(app().app)
      .get(`/t/${siteKey}.js`)
      .set(headers)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });

  maybe('when a page loads the script, then it is JavaScript with the site\'s settings, cacheable for 5 minutes with an ETag', async () => {
    // Arrange
    const { siteKey } = await createTrackedSite(app());

    // Act
    const res = await getScript(siteKey, { 'Accept-Encoding': 'identity' });

    // Assert
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(res.headers['content-encoding']).toBeUndefined();
    const script = bodyOf(res);
    expect(script).toContain(`"siteKey":"${siteKey}"`);
    expect(script).toContain('"enabled":true');
    expect(script).toContain('"consent":"not-required"');
    expect(script).toContain('"nationalNumber":"1134960000"');
  });

  maybe('when the browser accepts gzip, then the script is sent gzipped, the same bytes once unpacked', async () => {
    const { siteKey } = await createTrackedSite(app());

    const plain = await getScript(siteKey, { 'Accept-Encoding': 'identity' });
    const gzipped = await getScript(siteKey, { 'Accept-Encoding': 'gzip, deflate, br' });

    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gzipped.headers.vary).toMatch(/Accept-Encoding/);
    expect(Number(gzipped.headers['content-length'])).toBeLessThanOrEqual(6 * 1024);
    expect(bodyOf(gzipped)).toBe(bodyOf(plain));
  });

  maybe('when the browser asks again with the ETag it has, then 304 with no body', async () => {
    const { siteKey } = await createTrackedSite(app());
    const first = await getScript(siteKey);

    const again = await getScript(siteKey, { 'If-None-Match': first.headers.etag });

    expect(again.status).toBe(304);
    expect(again.headers.etag).toBe(first.headers.etag);
  });

  maybe('when the site settings change, then the script changes at once (new ETag) with the new settings', async () => {
    // Arrange
    const t = app();
    const { siteId, siteKey } = await createTrackedSite(t);
    const before = await getScript(siteKey);

    // Act
    await adminApi(t).patch(`/v1/sites/${siteId}`, { consent: 'required', trackingEnabled: false }).expect(200);
    const after = await getScript(siteKey, { 'If-None-Match': before.headers.etag });

    // Assert
    expect(after.status).toBe(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(bodyOf(after)).toContain('"consent":"required"');
    expect(bodyOf(after)).toContain('"enabled":false');
  });

  maybe('when the site key is unknown, then 404 problem', async () => {
    expectProblem(await request(app().app).get('/t/sk_doesNotExist00.js'), 404);
  });

  maybe('when a page on another origin loads the script with crossorigin, then it still loads (only the API is CORS-limited)', async () => {
    const { siteKey } = await createTrackedSite(app());

    const res = await getScript(siteKey, { Origin: 'https://evil.example' });

    expect(res.status).toBe(200);
  });
});
