import type express from 'express';

/**
 * What router@2 (Express 5's router) keeps per layer; @types/express still describes Express 4. A
 * route layer holds its route (declared path or paths, methods, per-method handler layers); a `use`
 * layer holding a Router has that router (its own `stack`) as `handle`, mounted at `rawPath`.
 */
interface RouterLayer {
  name: string;
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean | undefined>; stack: { method?: string; handle: unknown }[] };
  handle: { stack?: RouterLayer[] };
}

export interface DeclaredRoute {
  /** The path as declared, with the mount paths of enclosing routers in front: '/v1/pools/:poolId'. */
  path: string;
  /** The methods the route declares (lower case; `_all` for `router.all`). */
  methods: Record<string, boolean | undefined>;
  /** Its handlers in order, each with the method it serves (undefined: every method). */
  handlers: { method?: string; handle: unknown }[];
}

/**
 * Every route of the app, in declaration order, found by walking its router stack (nested routers
 * included): for the OpenAPI document (which reads each route's access guard) and the tests that
 * enumerate routes. Sub-apps (`app.use(otherApp)`) hide their routes in a closure, so meeting one is an
 * error rather than a silently shorter list.
 */
export function declaredRoutes(app: express.Express): DeclaredRoute[] {
  const found: DeclaredRoute[] = [];
  const walk = (stack: RouterLayer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const path of pathsOf(layer.route.path)) found.push({ path: joinPath(prefix, path), methods: layer.route.methods, handlers: layer.route.stack });
      } else if (Array.isArray(layer.handle.stack)) {
        for (const mount of pathsOf(layer.rawPath ?? '/')) walk(layer.handle.stack, joinPath(prefix, mount));
      } else if (layer.name === 'mounted_app') {
        const at = pathsOf(layer.rawPath ?? '/').map((mount) => joinPath(prefix, mount)).join(', ');
        throw new Error(`cannot see into the sub-app mounted at ${at}; mount a Router there instead`);
      }
    }
  };
  walk((app.router as unknown as { stack: RouterLayer[] }).stack, '');
  return found;
}

function pathsOf(declared: unknown): string[] {
  const all = Array.isArray(declared) ? declared.flat(Infinity) : [declared];
  return all.map((p) => (typeof p === 'string' ? p : String(p)));
}

function joinPath(prefix: string, path: string): string {
  if (path === '/' || path === '') return prefix || '/';
  return `${prefix.replace(/\/$/, '')}${path.startsWith('/') ? '' : '/'}${path}`;
}
