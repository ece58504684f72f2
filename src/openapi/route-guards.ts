import type express from 'express';
import { GUARD, type Guard } from '../access/guard';
import { declaredRoutes } from '../shared/http/route-walk';

export type GuardInfo = Guard[typeof GUARD];

/** '/v1/pools/:poolId' -> '/v1/pools/{poolId}' */
export const openApiPath = (expressPath: string): string => expressPath.replace(/:([A-Za-z_$][\w$]*)/g, '{$1}');

/**
 * The access guard of every route that has one, found on the app's router (so the document states the
 * permission the code checks, not a copy of it), keyed 'post /v1/pools/{poolId}/numbers'.
 */
export function guardsOf(app: express.Express): Map<string, GuardInfo> {
  const found = new Map<string, GuardInfo>();
  for (const route of declaredRoutes(app)) {
    for (const handler of route.handlers) {
      const guard = (handler.handle as Partial<Guard>)[GUARD];
      if (guard && handler.method) found.set(`${handler.method.toLowerCase()} ${openApiPath(route.path)}`, guard);
    }
  }
  return found;
}
