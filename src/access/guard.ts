import type { Request, RequestHandler } from 'express';
import { ForbiddenError, NotFoundError } from '../shared/errors';
import { accessOf } from './authenticate';
import { allows, canActFor, type Access, type Permission } from './roles';
import type { OwnedKind, TenantResolver } from './tenant-resolver';
import { UUID } from '../shared/ids';

/** Where a request carries ids, and what each names ('client[]': a list of client ids). */
export interface GuardSpec {
  params?: Record<string, OwnedKind>;
  query?: Record<string, OwnedKind>;
  body?: Record<string, OwnedKind | 'client[]'>;
  /** Body fields that need a permission beyond the route's own (no mass assignment past the role). */
  fields?: Record<string, Permission>;
}

/** Marks a guard so a test can prove every admin route has one. */
export const GUARD = Symbol('access guard');
export type Guard = RequestHandler & { [GUARD]: { permission: Permission; spec: GuardSpec } };

const LABEL: Record<OwnedKind, string> = {
  client: 'client',
  site: 'site',
  pool: 'pool',
  number: 'tracking number',
  call: 'call',
  privacyRequest: 'privacy request',
  apiKey: 'API key',
  webhook: 'webhook',
  delivery: 'delivery',
};

/**
 * Authorization for one admin route: the caller's role must grant `permission`, and every id the
 * request carries (path, query, body) must belong to the caller's clients. An id of another client is
 * answered exactly like an id that does not exist (404), so ids cannot be probed across clients. Ids
 * that are not well-formed are left to the route's own validation (400).
 */
export class AccessControl {
  constructor(private readonly resolver: Pick<TenantResolver, 'ownersOf' | 'exists'>) {}

  guard(permission: Permission, spec: GuardSpec = {}): Guard {
    const handler: RequestHandler = (req, res, next) => {
      const access = accessOf(res);
      if (!allows(access, permission)) return next(new ForbiddenError(`This API key's role (${access.role}) does not allow ${permission}.`));
      for (const [field, needed] of Object.entries(spec.fields ?? {})) {
        if (isObject(req.body) && field in req.body && !allows(access, needed)) {
          return next(new ForbiddenError(`This API key's role (${access.role}) may not set ${field} (needs ${needed}).`));
        }
      }
      if (access.clients === 'all') return next();
      this.checkIds(req, access, spec).then(() => next(), next);
    };
    return Object.assign(handler, { [GUARD]: { permission, spec } });
  }

  /** For list routes that find a record by something other than its id: may this caller see it? */
  async visible(access: Access, kind: OwnedKind, id: string): Promise<boolean> {
    if (access.clients === 'all') return true;
    const owners = await this.resolver.ownersOf(kind, id);
    return owners.length > 0 && owners.every((c) => canActFor(access, c));
  }

  private async checkIds(req: Request, access: Access, spec: GuardSpec): Promise<void> {
    // Each id with the word the route's own 404 uses for it ('No site with this siteId.'), so both read alike.
    // A query id filters a list: an unknown one would answer an empty list where another client's answers
    // 404, telling the two apart; for a client key both answer 404 (`strict`).
    const checks: [OwnedKind, string, string, boolean?][] = [];
    for (const [name, kind] of Object.entries(spec.params ?? {})) checks.push([kind, String((req.params as Record<string, string>)[name] ?? ''), 'id']);
    const query = req.query as Record<string, unknown>;
    for (const [name, kind] of Object.entries(spec.query ?? {})) if (typeof query[name] === 'string') checks.push([kind, query[name] as string, name, UUID.test(query[name] as string)]);
    if (isObject(req.body)) {
      for (const [name, kind] of Object.entries(spec.body ?? {})) {
        const value = req.body[name];
        if (kind === 'client[]') {
          if (Array.isArray(value)) for (const v of value) if (typeof v === 'string') checks.push(['client', v, 'id']);
        } else if (typeof value === 'string') checks.push([kind, value, name]);
      }
    }
    for (const [kind, id, noun, strict] of checks) {
      const owners = await this.resolver.ownersOf(kind, id);
      // Nothing by that id at all: the route answers for itself (404, or 400 when malformed).
      if (!strict && !owners.length && !(await this.resolver.exists(kind, id))) continue;
      if (!owners.length || !owners.every((c) => canActFor(access, c))) throw new NotFoundError(`No ${LABEL[kind]} with this ${noun}.`);
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
