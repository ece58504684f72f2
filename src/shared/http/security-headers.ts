import type { RequestHandler } from 'express';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * helmet's security headers on every response. The API answers JSON, JavaScript and TwiML, never a
 * page: its Content-Security-Policy lets nothing load or frame it (the demo page sets its own, see
 * demo-routes.ts). Strict-Transport-Security is sent always; browsers heed it only over https.
 */
const API: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  xFrameOptions: { action: 'deny' },
};

export function securityHeaders(): RequestHandler {
  const sameOrigin = helmet({ ...API, crossOriginResourcePolicy: { policy: 'same-origin' } });
  // The tracking script and its API are loaded by every client's website: helmet's default same-origin
  // Cross-Origin-Resource-Policy would make browsers block the script on every page that embeds it.
  const crossOrigin = helmet({ ...API, crossOriginResourcePolicy: { policy: 'cross-origin' } });
  return (req, res, next) => (req.path.startsWith('/t/') ? crossOrigin : sameOrigin)(req, res, next);
}
