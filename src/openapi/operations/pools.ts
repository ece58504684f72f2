import { createPoolBody, listPoolsQuery, provisionBody, updatePoolBody } from '../../pool/pool-routes';
import { adminOperations, json, jsonBody, listOf, problems, uuidParams } from '../components';
import { Pool, PoolWithStats, ProvisionedNumbers, TrackingNumber } from '../resource-schemas';
import { poolHealthQuery } from '../../pool/health/pool-health-routes';
import { PoolHealth } from '../../pool/health/pool-health-schema';

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
  { method: 'get', path: '/v1/pools', tags: ['Pools'], summary: "List a site's pools", request: { query: listPoolsQuery }, responses: { 200: json(listOf(Pool), 'The pools.'), ...problems(400, 404) } },
  { method: 'get', path: '/v1/pools/{poolId}', tags: ['Pools'], summary: 'Get a pool with its live lease statistics', request: { params: poolId }, responses: { 200: json(PoolWithStats, 'The pool.'), ...problems(404) } },
  {
    method: 'patch',
    path: '/v1/pools/{poolId}',
    tags: ['Pools'],
    summary: "Change a pool's name, forwarding number or call routing",
    request: { params: poolId, body: jsonBody(updatePoolBody, 'At least one setting.') },
    responses: { 200: json(Pool, 'The pool as changed.'), ...problems(404) },
  },
  {
    method: 'get',
    path: '/v1/pools/{poolId}/health',
    tags: ['Pools'],
    summary: 'Pool health: utilisation, exhaustion, attribution mix and Erlang B sizing advice over a window (docs/pool-health.md)',
    request: { params: poolId, query: poolHealthQuery },
    responses: { 200: json(PoolHealth, "The pool's health over the window (default the last 24 hours, at most 35 days)."), ...problems(400, 404) },
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
