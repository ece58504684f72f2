import { randomBytes } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../shared/http/validate';
import { NotFoundError } from '../shared/errors';
import type { Clock } from '../shared/clock';
import type { ClientStore } from '../clients/client-store';
import type { AccessControl } from './guard';
import { accessOf, hashApiKey, type ApiKeyAuthenticator } from './authenticate';
import type { ApiKey, ApiKeyStore } from './api-key-store';
import { ROLES, canActFor, type Access, type Role } from './roles';

export const createKeyBody = z.strictObject({
  role: z.enum(ROLES as [Role, ...Role[]]),
  /** Agencies: further clients the same key acts for (the caller must own each of them too). */
  alsoClientIds: z.array(z.uuid()).max(100).optional(),
});

/** 'ctk_live_' + 256 random bits: unguessable, recognisable in logs and by secret scanners. */
function newKey(): { key: string; prefix: string; hash: string } {
  const key = `ctk_live_${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, 13), hash: hashApiKey(key).toString('hex') };
}

/**
 * Never the secret or its hash: a key is shown once, when created. Of an agency's key, only the clients
 * the viewer may act for are named (a client's owner does not learn which other clients the agency serves).
 */
export const keyView = (k: ApiKey, viewer: Access) => ({
  id: k.id,
  prefix: k.prefix,
  role: k.role,
  clientIds: k.clientIds.filter((c) => canActFor(viewer, c)),
  createdBy: k.createdBy,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
});

export function apiKeyRoutes(keys: ApiKeyStore, clients: ClientStore, auth: ApiKeyAuthenticator, access: AccessControl, clock: Clock): Router {
  const router = Router();
  router.post('/v1/clients/:clientId/api-keys', access.guard('keys:manage', { params: { clientId: 'client' }, body: { alsoClientIds: 'client[]' } }), async (req, res) => {
    const clientId = parseInput(z.uuid(), req.params.clientId, 'client id');
    const body = parseInput(createKeyBody, req.body);
    const clientIds = [...new Set([clientId, ...(body.alsoClientIds ?? [])])];
    for (const id of clientIds) if (!(await clients.findById(id))) throw new NotFoundError('No client with this id.');
    const { key, prefix, hash } = newKey();
    const created = await keys.create({ prefix, keyHash: hash, role: body.role, clientIds, createdBy: accessOf(res).actor });
    res.status(201).set('Cache-Control', 'no-store').json({ ...keyView(created, accessOf(res)), key });
  });
  router.get('/v1/clients/:clientId/api-keys', access.guard('keys:manage', { params: { clientId: 'client' } }), async (req, res) => {
    const clientId = parseInput(z.uuid(), req.params.clientId, 'client id');
    if (!(await clients.findById(clientId))) throw new NotFoundError('No client with this id.');
    res.json({ data: (await keys.listByClient(clientId)).map((k) => keyView(k, accessOf(res))) });
  });
  router.delete('/v1/api-keys/:keyId', access.guard('keys:manage', { params: { keyId: 'apiKey' } }), async (req, res) => {
    const revoked = await keys.revoke(parseInput(z.uuid(), req.params.keyId, 'key id'), accessOf(res).actor, new Date(clock.now()));
    if (!revoked) throw new NotFoundError('No API key with this id.');
    // This instance stops accepting it now; others within their key cache's lifetime (30 s).
    auth.forgetAll();
    res.json(keyView(revoked, accessOf(res)));
  });
  return router;
}
