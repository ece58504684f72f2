import { Router } from 'express';
import { withTimeout } from '../shared/with-timeout';

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/** /healthz: the process serves requests. /readyz: its backends answer too (for load balancers). */
export function healthRoutes(checks: ReadinessCheck[], info: { mode: string }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      checks.map(async (c) => {
        try {
          await withTimeout(c.check(), 2000);
          return [c.name, 'ok'] as const;
        } catch {
          return [c.name, 'unavailable'] as const;
        }
      }),
    );
    const ready = results.every(([, s]) => s === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', mode: info.mode, checks: Object.fromEntries(results) });
  });
  return router;
}
