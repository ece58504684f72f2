import path from 'node:path';
import { Router } from 'express';

/** The sample client website (src/demo/sample-site.html): the demo site's numbers, swapped by its tracking script. */
export const DEMO_PATH = '/demo/';
const PAGE = path.join(__dirname, 'sample-site.html');

export function demoRoutes(): Router {
  const router = Router();
  router.get(['/demo', DEMO_PATH], (_req, res) => {
    res.set('Cache-Control', 'no-store').sendFile(PAGE);
  });
  return router;
}
