/**
 * Twilio's call statuses, ordered by how far a call has progressed. Webhooks can arrive twice or out
 * of order; a status only ever moves forward, and a final status is never replaced.
 */
export const CALL_STATUSES = ['queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

const RANK: Record<CallStatus, number> = {
  queued: 0,
  initiated: 0,
  ringing: 1,
  'in-progress': 2,
  completed: 3,
  busy: 3,
  failed: 3,
  'no-answer': 3,
  canceled: 3,
};

export const statusRank = (s: CallStatus): number => RANK[s];
export const isFinalStatus = (s: CallStatus): boolean => RANK[s] === 3;
export const isCallStatus = (s: string): s is CallStatus => (CALL_STATUSES as readonly string[]).includes(s);

/** DialCallStatus values that mean the forwarded leg was picked up. */
export const isAnsweredDialStatus = (s: string): boolean => s === 'completed' || s === 'answered';
