import { METHODS } from 'node:http';
import type express from 'express';
import { declaredRoutes } from '../../src/shared/http/route-walk';

export interface RouteEntry {
  /** Upper case, as sent on the wire ('ALL' for a route declared with `.all`). */
  method: string;
  /** The path as declared, with the mount paths of enclosing routers in front: '/v1/pools/:poolId'. */
  path: string;
}

/**
 * Every route the app serves (src/shared/http/route-walk.ts), sorted by path then method. Express
 * answers HEAD for every GET without declaring it; only declared methods are listed, and a route
 * answering every method is listed once as ALL. A sub-app mounted in the app is an error, not a
 * silently shorter list.
 */
export function listRoutes(app: express.Express): RouteEntry[] {
  const found = new Map<string, RouteEntry>();
  for (const route of declaredRoutes(app)) {
    for (const method of methodsOf(route.methods)) found.set(`${method} ${route.path}`, { method, path: route.path });
  }
  return [...found.values()].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/** `router.all` sets `_all`; Express 5's `app.all` instead declares every method one by one: both are 'ALL'. */
function methodsOf(declared: Record<string, boolean | undefined>): string[] {
  const methods = Object.keys(declared).filter((m) => declared[m]);
  if (methods.includes('_all') || METHODS.every((m) => methods.includes(m.toLowerCase()))) return ['ALL'];
  return methods.map((m) => m.toUpperCase());
}
