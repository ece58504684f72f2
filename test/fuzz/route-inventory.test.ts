import express, { Router } from 'express';
import { createApp } from '../../src/app';
import { listRoutes } from '../support/route-inventory';
import { startTestApp, type TestApp } from '../support/test-app';

describe('listRoutes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('embedded', { SEED_DEMO: 'true' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('when walking the service, then every surface is listed: admin API, tracking, webhooks, health and demo', () => {
    // Act
    const routes = listRoutes(createApp(t.container)).map((r) => `${r.method} ${r.path}`);

    // Assert
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /v1/pools',
        'PATCH /v1/pools/:poolId',
        'GET /v1/privacy/requests/:requestId/export',
        'GET /t/:siteKey.js',
        'POST /t/:siteKey/visits/:visitId/heartbeat',
        'POST /webhooks/twilio/voice',
        'POST /webhooks/twilio/whisper',
        'GET /healthz',
        'GET /readyz',
        'GET /demo',
        'GET /demo/',
      ]),
    );
    expect(routes.length).toBeGreaterThan(35);
    expect(new Set(routes).size).toBe(routes.length);
  });

  it('when routers are nested under mount paths and a route has several paths and methods, then each pair is listed with its full path', () => {
    // Arrange
    const inner = Router();
    inner.get('/items/:itemId', (_req, res) => void res.end());
    inner.route(['/a', '/b']).put((_req, res) => void res.end()).delete((_req, res) => void res.end());
    const outer = Router();
    outer.use('/inner', inner);
    const app = express();
    app.use('/outer', outer);
    app.all('/anything', (_req, res) => void res.end());
    app.use((_req, _res, next) => next());

    // Act
    const routes = listRoutes(app);

    // Assert
    expect(routes).toEqual([
      { method: 'DELETE', path: '/outer/inner/a' },
      { method: 'PUT', path: '/outer/inner/a' },
      { method: 'DELETE', path: '/outer/inner/b' },
      { method: 'PUT', path: '/outer/inner/b' },
      { method: 'GET', path: '/outer/inner/items/:itemId' },
      { method: 'ALL', path: '/anything' },
    ].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method)));
  });

  it('when a sub-app is mounted, then listRoutes refuses rather than missing its routes', () => {
    // Arrange
    const sub = express();
    sub.get('/hidden', (_req, res) => void res.end());
    const app = express();
    app.use('/sub', sub);

    // Act / Assert
    expect(() => listRoutes(app)).toThrow(/sub-app mounted at \/sub;/);
  });
});
