import type { HeartbeatResult, LeaseResult, LiveLease } from '../pool-store';

/**
 * The outcome codes the lease and heartbeat scripts return as the first element of their reply.
 * This is the only place they are defined: load-scripts.ts renders this object into Lua as
 * `ResultCode` for every script that says `--- @include "resultCodes"`.
 */
export const ResultCode = {
  GRANTED: 1,
  RENEWED: 2,
  EXHAUSTED: 3,
  LOST: 4,
} as const;

export type LeaseOrHeartbeatResult = LeaseResult | HeartbeatResult;

/** The Lua table the scripts see, generated so that Lua and TypeScript cannot disagree. */
export function resultCodesLua(): string {
  const entries = Object.entries(ResultCode).map(([name, code]) => `${name} = ${code}`);
  return `local ResultCode = { ${entries.join(', ')} }`;
}

/**
 * Turns a lease/heartbeat reply into a result:
 * {code, numberId, visitId, token, startedAt, renewedAt, expiresAt [, displacedVisitId]}.
 */
export function toLeaseOutcome(reply: unknown): LeaseOrHeartbeatResult {
  if (!Array.isArray(reply) || reply.length === 0) throw new Error(`Unexpected pool script reply: ${JSON.stringify(reply)}`);
  const code = Number(reply[0]);
  switch (code) {
    case ResultCode.GRANTED: {
      const lease = toLiveLease(reply);
      return reply.length > 7 ? { outcome: 'granted', lease, displacedVisitId: String(reply[7]) } : { outcome: 'granted', lease };
    }
    case ResultCode.RENEWED:
      return { outcome: 'renewed', lease: toLiveLease(reply) };
    case ResultCode.EXHAUSTED:
      return { outcome: 'exhausted' };
    case ResultCode.LOST:
      return { outcome: 'lost' };
    default:
      throw new Error(`Unknown pool script result code ${code}`);
  }
}

function toLiveLease(reply: unknown[]): LiveLease {
  return {
    numberId: String(reply[1]),
    visitId: String(reply[2]),
    token: Number(reply[3]),
    startedAt: Number(reply[4]),
    renewedAt: Number(reply[5]),
    expiresAt: Number(reply[6]),
  };
}
