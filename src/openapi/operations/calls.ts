import { z } from 'zod';
import { listQuery } from '../../calls/call-routes';
import { adminOperations, json, listOf, problems, uuidParams } from '../components';
import { Call, CallLeg } from '../resource-schemas';

const callId = uuidParams('callId', 'The call.');

export const callOperations = adminOperations([
  {
    method: 'get',
    path: '/v1/calls',
    tags: ['Calls'],
    summary: 'List calls, newest first, with their attribution',
    request: { query: listQuery },
    responses: { 200: json(listOf(Call).extend({ nextCursor: z.string().nullable().meta({ description: 'Pass as cursor for the next page; null on the last page.' }) }), 'A page of calls.'), ...problems(400) },
  },
  { method: 'get', path: '/v1/calls/{callId}', tags: ['Calls'], summary: 'Get a call', request: { params: callId }, responses: { 200: json(Call, 'The call.'), ...problems(400, 404) } },
  {
    method: 'get',
    path: '/v1/calls/{callId}/legs',
    tags: ['Calls'],
    summary: 'The forwarded legs of a call: who rang, who answered, for how long',
    request: { params: callId },
    responses: { 200: json(listOf(CallLeg), 'The legs.'), ...problems(400, 404) },
  },
]);
