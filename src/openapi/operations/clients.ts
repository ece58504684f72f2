import { createClientBody, updateClientBody } from '../../clients/client-routes';
import { createKeyBody } from '../../access/api-key-routes';
import { adminOperations, json, jsonBody, listOf, problems, uuidParams } from '../components';
import { ApiKey, Client, NewApiKey } from '../resource-schemas';

const clientId = uuidParams('clientId', 'The client.');

export const clientOperations = adminOperations([
  { method: 'post', path: '/v1/clients', tags: ['Clients'], summary: 'Create a client (operator only)', request: { body: jsonBody(createClientBody) }, responses: { 201: json(Client, 'The new client.') } },
  { method: 'get', path: '/v1/clients', tags: ['Clients'], summary: 'List the clients the key may act for', responses: { 200: json(listOf(Client), 'The clients.') } },
  { method: 'get', path: '/v1/clients/{clientId}', tags: ['Clients'], summary: 'Get a client', request: { params: clientId }, responses: { 200: json(Client, 'The client.'), ...problems(404) } },
  {
    method: 'patch',
    path: '/v1/clients/{clientId}',
    tags: ['Clients'],
    summary: "Change a client's name, Twilio regulatory SIDs or retention",
    request: { params: clientId, body: jsonBody(updateClientBody, 'At least one field.') },
    responses: { 200: json(Client, 'The client as changed.'), ...problems(404) },
  },
  {
    method: 'post',
    path: '/v1/clients/{clientId}/api-keys',
    tags: ['API keys'],
    summary: 'Create an API key for the client (and, for agencies, further clients)',
    request: { params: clientId, body: jsonBody(createKeyBody) },
    responses: { 201: json(NewApiKey, 'The key, with its secret shown this once (Cache-Control: no-store).'), ...problems(404) },
  },
  { method: 'get', path: '/v1/clients/{clientId}/api-keys', tags: ['API keys'], summary: "List the client's API keys (never their secrets)", request: { params: clientId }, responses: { 200: json(listOf(ApiKey), 'The keys.'), ...problems(404) } },
  {
    method: 'delete',
    path: '/v1/api-keys/{keyId}',
    tags: ['API keys'],
    summary: 'Revoke an API key',
    description: 'This instance refuses the key at once; other instances within 30 seconds.',
    request: { params: uuidParams('keyId', 'The API key.') },
    responses: { 200: json(ApiKey, 'The revoked key.'), ...problems(404) },
  },
]);
