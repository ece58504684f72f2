import { createHash } from 'node:crypto';
import { Router, type Express } from 'express';
import { buildOpenApiDocument, type ServedSurface } from './openapi-document';
import { guardsOf } from './route-guards';
import { OPENAPI_PATH } from './operations/service';

export { OPENAPI_PATH };

/** The document changes only with a deployment; clients and caches may reuse it for a while. */
const MAX_AGE_SECONDS = 300;

/**
 * GET /openapi.json, public. Built on the first request, when every route of `app` is declared (the
 * permissions are read from their guards), then served from memory with an ETag.
 */
export function openApiRoutes(app: Express, surface: ServedSurface): Router {
  let served: { body: string; etag: string } | undefined;
  const router = Router();
  router.get(OPENAPI_PATH, (req, res) => {
    if (!served) {
      const body = JSON.stringify(buildOpenApiDocument(surface, guardsOf(app)));
      served = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    }
    res.set({ 'Cache-Control': `public, max-age=${MAX_AGE_SECONDS}`, ETag: served.etag });
    if (req.fresh) return void res.status(304).end();
    res.type('application/json').send(served.body);
  });
  return router;
}
