import { METHODS } from 'node:http';
import type express from 'express';

export interface RouteEntry {
  /** Upper case, as sent on the wire ('ALL' for a route declared with `.all`). */
  method: string;
  /** The path as declared, with the mount paths of enclosing routers in front: '/v1/pools/:poolId'. */
  path: string;
}

/**
 * What router@2 (the router of Express 5) keeps per layer; @types/express still describes Express 4.
 * A route layer holds a `route` (its declared path or paths, and the methods it answers); a `use`
 * layer holding a Router has that router (its own `stack`) as `handle`, mounted at `rawPath`.
 */
interface RouterLayer {
  name: string;
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
  handle: { stack?: RouterLayer[] };
}

/**
 * Every route the app serves, found by walking its router stack (nested routers included), sorted by
 * path then method. Express answers HEAD for every GET without declaring it; only declared methods are
 * listed, and a route answering every method is listed once as ALL. Sub-apps (`app.use(otherApp)`) hide their routes in a closure, so meeting one is an error
 * rather than a silently shorter list.
 */
export function listRoutes(app: express.Express): RouteEntry[] {
  const found = new Map<string, RouteEntry>();
  const walk = (stack: RouterLayer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const path of pathsOf(layer.route.path)) {
          for (const method of methodsOf(layer.route.methods)) {
            const entry = { method, path: joinPath(prefix, path) };
            found.set(`${method} ${entry.path}`, entry);
          }
        }
      } else if (Array.isArray(layer.handle.stack)) {
        for (const mount of pathsOf(layer.rawPath ?? '/')) walk(layer.handle.stack, joinPath(prefix, mount));
      } else if (layer.name === 'mounted_app') {
        const at = pathsOf(layer.rawPath ?? '/').map((mount) => joinPath(prefix, mount)).join(', ');
        throw new Error(`listRoutes cannot see into the sub-app mounted at ${at}; mount a Router there instead`);
      }
    }
  };
  walk((app.router as unknown as { stack: RouterLayer[] }).stack, '');
  return [...found.values()].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/** `router.all` sets `_all`; Express 5's `app.all` instead declares every method one by one: both are 'ALL'. */
function methodsOf(declared: Record<string, boolean | undefined>): string[] {
  const methods = Object.keys(declared).filter((m) => declared[m]);
  if (methods.includes('_all') || METHODS.every((m) => methods.includes(m.toLowerCase()))) return ['ALL'];
  return methods.map((m) => m.toUpperCase());
}

function pathsOf(declared: unknown): string[] {
  const all = Array.isArray(declared) ? declared.flat(Infinity) : [declared];
  return all.map((p) => (typeof p === 'string' ? p : String(p)));
}

function joinPath(prefix: string, path: string): string {
  if (path === '/' || path === '') return prefix || '/';
  return `${prefix.replace(/\/$/, '')}${path.startsWith('/') ? '' : '/'}${path}`;
}
