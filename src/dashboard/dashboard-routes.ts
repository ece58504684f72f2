import path from 'node:path';
import express, { Router } from 'express';
import helmet from 'helmet';

/** The client dashboard: a static page whose scripts read the /v1 admin API with the key the user types in. */
export const DASHBOARD_PATH = '/dashboard/';
const PUBLIC_DIR = path.join(__dirname, 'public');
const PAGE = path.join(PUBLIC_DIR, 'index.html');

/**
 * Chart.js from node_modules, never a CDN: the page loads nothing from another origin. Its package
 * exports only the ESM/CJS entry points, so the UMD build is found beside the resolved CJS one
 * (require.resolve works the same from src/ under ts and from dist/src/ after the build).
 */
const CHART_DIR = path.dirname(require.resolve('chart.js'));
export const VENDOR_FILE_NAMES = ['chart.umd.js', 'chart.umd.js.map'] as const;
const VENDOR_FILES = new Map<string, string>(VENDOR_FILE_NAMES.map((name) => [name, path.join(CHART_DIR, name)]));

/**
 * The API's CSP (security-headers.ts) lets nothing load; the dashboard runs its own scripts and styles
 * from files of this origin only (no inline code, so an injected <script> cannot run) and talks only to
 * this origin's /v1.
 */
const pageCsp = helmet.contentSecurityPolicy({
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    connectSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
});

/**
 * No authentication here: the page and its scripts hold no data. Every figure comes from /v1, which
 * checks the key the browser sends. Files revalidate on every load (ETag), so a deploy takes effect at once.
 */
export function dashboardRoutes(): Router {
  const router = Router();
  router.get(['/dashboard', DASHBOARD_PATH], pageCsp, (_req, res) => {
    res.set('Cache-Control', 'no-store').sendFile(PAGE);
  });
  router.get('/dashboard/vendor/:file', pageCsp, (req, res, next) => {
    const file = VENDOR_FILES.get(req.params.file);
    if (!file) return next();
    res.set('Cache-Control', 'no-cache').type(req.params.file.endsWith('.map') ? 'application/json' : 'text/javascript').sendFile(file);
  });
  router.use('/dashboard', pageCsp, express.static(PUBLIC_DIR, { index: false, redirect: false, dotfiles: 'deny', cacheControl: false, setHeaders: (res) => res.set('Cache-Control', 'no-cache') }));
  return router;
}
