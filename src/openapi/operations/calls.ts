import { z } from 'zod';
import { csvQuery, listQuery } from '../../calls/call-routes';
import { adminOperations, json, listOf, problems, uuidParams } from '../components';
import { Call, CallDetail, CallLeg } from '../resource-schemas';

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
  {
    method: 'get',
    path: '/v1/calls.csv',
    tags: ['Calls'],
    summary: 'Export calls as CSV, oldest first',
    description:
      'The filters of GET /v1/calls, every matching call in one streamed download (no paging). Restricted calls are left out. ' +
      'Every cell starting with = + - @, a tab or a carriage return is prefixed with an apostrophe, so no cell runs as a spreadsheet formula.',
    request: { query: csvQuery },
    responses: { 200: { description: 'An attachment (text/csv; charset=utf-8, Cache-Control: no-store), a header row first.', content: { 'text/csv': { schema: { type: 'string' } } } }, ...problems(400) },
  },
  {
    method: 'get',
    path: '/v1/calls/{callId}',
    tags: ['Calls'],
    summary: "Get a call, with the visitor's journey to it",
    request: { params: callId },
    responses: { 200: json(CallDetail, 'The call.'), ...problems(400, 404) },
  },
  {
    method: 'get',
    path: '/v1/calls/{callId}/legs',
    tags: ['Calls'],
    summary: 'The forwarded legs of a call: who rang, who answered, for how long',
    request: { params: callId },
    responses: { 200: json(listOf(CallLeg), 'The legs.'), ...problems(400, 404) },
  },
]);
