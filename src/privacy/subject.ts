import type { SubjectKind } from './personal-data-cipher';

/**
 * The person a data-subject request is about, as the client knows them: a caller (their phone number,
 * E.164) or a website visitor (the visitor id from our first-party cookie, which the client can read
 * on its own site and hand to us).
 */
export interface Subject {
  kind: SubjectKind;
  value: string;
}

export type PrivacyRequestType = 'access' | 'portability' | 'erasure' | 'rectification' | 'restriction' | 'objection';
export const PRIVACY_REQUEST_TYPES: readonly PrivacyRequestType[] = ['access', 'portability', 'erasure', 'rectification', 'restriction', 'objection'];

/** GDPR art. 12(3): answer within one month of receipt (calendar month, UTC). */
export function answerDueAt(receivedAt: Date): Date {
  const due = new Date(receivedAt.getTime());
  const day = due.getUTCDate();
  due.setUTCDate(1);
  due.setUTCMonth(due.getUTCMonth() + 1);
  // 31 January is due on the last day of February, not in March.
  const lastDay = new Date(Date.UTC(due.getUTCFullYear(), due.getUTCMonth() + 1, 0)).getUTCDate();
  due.setUTCDate(Math.min(day, lastDay));
  return due;
}

/** What the processing of a subject may still do, given their active requests. */
export type SubjectLimit = 'restricted' | 'objected';

/**
 * Fields a rectification may correct, per subject kind: facts about the person that can be wrong.
 * Identifiers (the number itself, visit ids) and what the service derived for attribution are not
 * rectifiable: correcting those would rewrite history rather than personal data.
 */
export const RECTIFIABLE_FIELDS = {
  phone: { callerName: 'caller_name', callerCity: 'from_city', callerState: 'from_state', callerZip: 'from_zip', callerCountry: 'from_country' },
  visitor: { country: 'country', isp: 'isp', browser: 'browser', os: 'os', deviceType: 'device_type' },
} as const;

/** Columns of a rectifiable field that are stored sealed. */
export const SEALED_COLUMNS: ReadonlySet<string> = new Set(['caller_name']);
