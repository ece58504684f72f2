import { z } from 'zod';
import { exportQuery, listQuery, requestBody } from '../../privacy/privacy-routes';
import { adminOperations, json, jsonBody, listOf, problems, uuidParams } from '../components';
import { AuditRecord, PrivacyRequest } from '../resource-schemas';

const requestId = uuidParams('requestId', 'The privacy request.');

const SubjectExport = z
  .looseObject({
    format: z.literal('call-tracking.subject-export.v1'),
    generatedAt: z.iso.datetime(),
    subject: z.object({ kind: z.enum(['phone', 'visitor']), value: z.string() }),
    request: PrivacyRequest,
    requests: z.array(PrivacyRequest),
    calls: z.array(z.record(z.string(), z.unknown())),
    callLegs: z.array(z.record(z.string(), z.unknown())),
    visits: z.array(z.record(z.string(), z.unknown())),
    pageViews: z.array(z.record(z.string(), z.unknown())),
    leases: z.array(z.record(z.string(), z.unknown())),
    consents: z.array(z.record(z.string(), z.unknown())),
  })
  .meta({ id: 'SubjectExport', description: 'Every record held about the subject, as stored.' });

export const privacyOperations = adminOperations([
  {
    method: 'post',
    path: '/v1/privacy/requests',
    tags: ['Privacy'],
    summary: "Carry out a data subject's request (access, portability, erasure, rectification, restriction, objection)",
    request: { body: jsonBody(requestBody) },
    responses: { 201: json(PrivacyRequest, 'The request, carried out.'), ...problems(404) },
  },
  { method: 'get', path: '/v1/privacy/requests', tags: ['Privacy'], summary: 'List privacy requests, newest first', request: { query: listQuery }, responses: { 200: json(listOf(PrivacyRequest), 'The requests.'), ...problems(400) } },
  { method: 'get', path: '/v1/privacy/requests/{requestId}', tags: ['Privacy'], summary: 'Get a privacy request', request: { params: requestId }, responses: { 200: json(PrivacyRequest, 'The request.'), ...problems(400, 404) } },
  {
    method: 'get',
    path: '/v1/privacy/requests/{requestId}/export',
    tags: ['Privacy'],
    summary: 'Download the data of an access or portability request',
    request: { params: requestId, query: exportQuery },
    responses: {
      200: {
        description: 'An attachment (Cache-Control: no-store). CSV: one row per field of every record (record_type, record_id, field, value).',
        content: { 'application/json': { schema: SubjectExport }, 'text/csv': { schema: { type: 'string' } } },
      },
      ...problems(400, 404, 409),
    },
  },
  {
    method: 'delete',
    path: '/v1/privacy/restrictions/{requestId}',
    tags: ['Privacy'],
    summary: 'Lift a restriction or objection',
    request: { params: requestId },
    responses: { 200: json(PrivacyRequest, 'The restriction, lifted.'), ...problems(400, 404, 409) },
  },
  { method: 'get', path: '/v1/audit-log', tags: ['Privacy'], summary: 'The audit trail of admin writes and privacy actions, newest first', request: { query: listQuery }, responses: { 200: json(listOf(AuditRecord), 'The records.'), ...problems(400) } },
]);
