import { createPoolBody, provisionBody, updatePoolBody } from '../../pool/pool-routes';
import { adminOperations, json, jsonBody, listOf, problems, uuidParams } from '../components';
import { Pool, PoolWithStats, ProvisionedNumbers, TrackingNumber } from '../resource-schemas';

const poolId = uuidParams('poolId', 'The pool.');

export const poolOperations = adminOperations([
  {
    method: 'post',
    path: '/v1/pools',
    tags: ['Pools'],
    summary: "Create a number pool for a site, with where and how its calls are forwarded",
    request: { body: jsonBody(createPoolBody) },
    responses: { 201: json(Pool, 'The new pool.'), ...problems(404) },
  },
  { method: 'get', path: '/v1/pools/{poolId}', tags: ['Pools'], summary: 'Get a pool with its live lease statistics', request: { params: poolId }, responses: { 200: json(PoolWithStats, 'The pool.'), ...problems(404) } },
  {
    method: 'patch',
    path: '/v1/pools/{poolId}',
    tags: ['Pools'],
    summary: "Change a pool's name, forwarding number or call routing",
    request: { params: poolId, body: jsonBody(updatePoolBody, 'At least one setting.') },
    responses: { 200: json(Pool, 'The pool as changed.'), ...problems(404) },
  },
  { method: 'get', path: '/v1/pools/{poolId}/numbers', tags: ['Pools', 'Numbers'], summary: "List the pool's tracking numbers", request: { params: poolId }, responses: { 200: json(listOf(TrackingNumber), 'The numbers.'), ...problems(404) } },
  {
    method: 'post',
    path: '/v1/pools/{poolId}/numbers',
    tags: ['Pools', 'Numbers'],
    summary: 'Buy numbers from the carrier for the pool',
    request: { params: poolId, body: jsonBody(provisionBody) },
    responses: { 201: json(ProvisionedNumbers, 'The numbers bought, and those tried and not bought.'), ...problems(404, [409, 'None of the numbers could be bought (see failed).'], [422, 'The carrier needs a regulatory bundle or address the client lacks (see missing).']) },
  },
]);
