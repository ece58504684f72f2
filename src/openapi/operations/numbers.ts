import { findByE164Query, overridesBody } from '../../numbers/number-routes';
import { adminOperations, json, jsonBody, listOf, problems, uuidParams } from '../components';
import { ReconciliationReportSchema, TrackingNumber } from '../resource-schemas';

const numberId = uuidParams('numberId', 'The tracking number.');

export const numberOperations = adminOperations([
  {
    method: 'get',
    path: '/v1/numbers',
    tags: ['Numbers'],
    summary: 'Find a tracking number by its E.164 (e.g. the number a caller dialled)',
    request: { query: findByE164Query },
    responses: { 200: json(listOf(TrackingNumber), 'The number, or an empty list.') },
  },
  { method: 'get', path: '/v1/numbers/{numberId}', tags: ['Numbers'], summary: 'Get a tracking number', request: { params: numberId }, responses: { 200: json(TrackingNumber, 'The number.'), ...problems(404) } },
  {
    method: 'patch',
    path: '/v1/numbers/{numberId}',
    tags: ['Numbers'],
    summary: "Override the pool's whisper, recording or fallback for one number",
    request: { params: numberId, body: jsonBody(overridesBody, 'At least one of whisper, record, fallback; null = as the pool says.') },
    responses: { 200: json(TrackingNumber, 'The number as changed.'), ...problems(404) },
  },
  {
    method: 'delete',
    path: '/v1/numbers/{numberId}',
    tags: ['Numbers'],
    summary: 'Retire a tracking number',
    description: 'Quarantined first, and released to the carrier only later, so late calls to it are still answered.',
    request: { params: numberId },
    responses: { 200: json(TrackingNumber, 'The number, quarantined.'), ...problems(404) },
  },
  {
    method: 'post',
    path: '/v1/numbers/reconcile',
    tags: ['Numbers'],
    summary: "Compare the carrier account with the service's numbers and repair drifted webhooks",
    description: 'Numbers found on one side only are reported, never bought or released.',
    responses: { 200: json(ReconciliationReportSchema, 'What was matched, repaired, and found on one side only.') },
  },
]);
