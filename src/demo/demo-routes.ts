import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Router } from 'express';
import helmet from 'helmet';

/** The sample client website (src/demo/sample-site.html): the demo site's numbers, swapped by its tracking script. */
export const DEMO_PATH = '/demo/';
const PAGE = path.join(__dirname, 'sample-site.html');

/** 'sha256-...' sources for each inline <script> or <style> of the page, so its CSP needs no 'unsafe-inline'. */
function inlineHashes(html: string, tag: 'script' | 'style'): string[] {
  return [...html.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => `'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`);
}

/** `publicBaseUrl`: where the page's tracking script sends its requests (it may differ from the page's own origin). */
export function demoRoutes(publicBaseUrl: string): Router {
  const html = readFileSync(PAGE, 'utf8');
  // The API's CSP (security-headers.ts) lets nothing load; this page runs its snippet and its tracking script.
  const pageCsp = helmet.contentSecurityPolicy({
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'", ...inlineHashes(html, 'script')],
      styleSrc: ["'self'", ...inlineHashes(html, 'style')],
      connectSrc: ["'self'", new URL(publicBaseUrl).origin],
      imgSrc: ["'self'", 'data:'],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  });
  const router = Router();
  router.get(['/demo', DEMO_PATH], pageCsp, (_req, res) => {
    res.set('Cache-Control', 'no-store').sendFile(PAGE);
  });
  return router;
}
