import { Router } from 'express';
import { z } from 'zod';
import { parseInput } from '../shared/http/validate';
import { NotFoundError } from '../shared/errors';
import { UUID } from '../shared/ids';
import type { ClientStore } from './client-store';

const createClientBody = z.strictObject({ name: z.string().trim().min(1).max(200) });

export function clientRoutes(clients: ClientStore): Router {
  const router = Router();
  router.post('/v1/clients', async (req, res) => {
    const { name } = parseInput(createClientBody, req.body);
    const client = await clients.create(name);
    res.status(201).json({ id: client.id, name: client.name, createdAt: client.createdAt.toISOString() });
  });
  router.get('/v1/clients', async (_req, res) => {
    const all = await clients.list();
    res.json({ data: all.map((c) => ({ id: c.id, name: c.name, createdAt: c.createdAt.toISOString() })) });
  });
  router.get('/v1/clients/:clientId', async (req, res) => {
    const client = UUID.test(req.params.clientId) ? await clients.findById(req.params.clientId) : null;
    if (!client) throw new NotFoundError('No client with this id.');
    res.json({ id: client.id, name: client.name, createdAt: client.createdAt.toISOString() });
  });
  return router;
}
