import type { RequestHandler } from 'express';
import { accessOf, actorOf } from '../access/authenticate';
import { getLogger } from '../shared/logging/logger';
import type { AuditLog } from './audit-log';

const log = getLogger('audit');
const UUID_LIKE = /^[0-9a-f-]{36}$/i;

/**
 * Records every successful admin write (POST, PUT, PATCH, DELETE under /v1) in the audit log: actor,
 * method and route pattern, and the ids in the path. Bodies are never recorded (they may hold personal
 * data); privacy requests record their own, richer entries.
 */
export function auditAdminWrites(audit: AuditLog): RequestHandler {
  return (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    res.on('finish', () => {
      const route = req.route as { path?: string } | undefined;
      if (res.statusCode >= 400 || !route?.path || route.path.startsWith('/v1/privacy/')) return;
      const params = req.params as Record<string, string>;
      const body = (req.body ?? {}) as Record<string, unknown>;
      // A key acting for a single client acts within it whatever the route; the operator's writes name it when the request does.
      const scope = accessOf(res).clients;
      const clientId = params.clientId ?? (typeof body.clientId === 'string' && UUID_LIKE.test(body.clientId) ? body.clientId : scope !== 'all' && scope.length === 1 ? scope[0] : null);
      const lastParam = Object.entries(params).pop();
      audit
        .record({
          actor: actorOf(res),
          clientId: clientId && UUID_LIKE.test(clientId) ? clientId : null,
          action: `${req.method} ${route.path}`,
          targetType: lastParam ? lastParam[0].replace(/Id$/, '') : null,
          targetId: lastParam ? lastParam[1].slice(0, 100) : null,
          details: { status: res.statusCode },
        })
        .catch((err: unknown) => log.error('audit entry not written', { action: `${req.method} ${route.path}`, error: err }));
    });
    next();
  };
}
