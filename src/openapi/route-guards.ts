import type express from 'express';
import { GUARD, type Guard } from '../access/guard';

export type GuardInfo = Guard[typeof GUARD];

/**
 * What router@2 (Express 5's router) keeps per layer; @types/express still describes Express 4. A
 * route layer holds its route (path and per-method handler layers); a mounted Router is a layer whose
 * handle has its own stack.
 */
interface RouterLayer {
  rawPath?: unknown;
  route?: { path: unknown; stack: { method?: string; handle: unknown }[] };
  handle: { stack?: RouterLayer[] };
}

/** '/v1/pools/:poolId' -> '/v1/pools/{poolId}' */
export const openApiPath = (expressPath: string): string => expressPath.replace(/:([A-Za-z_$][\w$]*)/g, '{$1}');

/**
 * The access guard of every route that has one, found on the app's router (so the document states the
 * permission the code checks, not a copy of it), keyed 'post /v1/pools/{poolId}/numbers'.
 */
export function guardsOf(app: express.Express): Map<string, GuardInfo> {
  const found = new Map<string, GuardInfo>();
  const walk = (stack: RouterLayer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const handler of layer.route.stack) {
          const guard = (handler.handle as Partial<Guard>)[GUARD];
          if (!guard || !handler.method) continue;
          for (const path of pathsOf(layer.route.path)) found.set(`${handler.method.toLowerCase()} ${openApiPath(prefix + path)}`, guard);
        }
      } else if (Array.isArray(layer.handle.stack)) {
        for (const mount of pathsOf(layer.rawPath ?? '')) walk(layer.handle.stack, prefix + (mount === '/' ? '' : mount));
      }
    }
  };
  walk((app.router as unknown as { stack: RouterLayer[] }).stack, '');
  return found;
}

function pathsOf(declared: unknown): string[] {
  return (Array.isArray(declared) ? declared.flat(Infinity) : [declared]).map(String);
}
