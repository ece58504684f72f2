import type { NumberDirectory } from '../numbers/number-directory';
import type { PoolConfigStore } from '../pool/pool-config-store';
import { poolSettings } from '../pool/pool-config-store';
import type { PoolStore } from '../pool/pool-store';
import { getLogger } from '../shared/logging/logger';
import { TtlCache } from '../shared/ttl-cache';
import { withTimeout } from '../shared/with-timeout';
import type { Pool } from '../pool/pool-config-store';
import { attributeCall, UNATTRIBUTED, type Attribution } from './domain/attribution';
import { isAnsweredDialStatus, isCallStatus, type CallStatus } from './domain/call-status';
import type { CallStore, EventOutcome } from './call-store';
import type { PoolRecovery } from '../pool/pool-recovery';
import { isStorableInstant } from '../shared/time';

const log = getLogger('calls');
/** Twilio waits 15 s for TwiML; the lookup that credits the call gets a small share of that. */
const ATTRIBUTION_BUDGET_MS = 2000;

/** The fields of Twilio's voice webhook we act on (every field received is still signed and checked). */
export interface InboundCallParams {
  CallSid: string;
  From?: string;
  To: string;
  Direction?: string;
  CallStatus?: string;
}

export type RoutingDecision =
  | { kind: 'forward'; forwardTo: string; callerId: string | null; callId: string }
  | { kind: 'unknown-number' };

/**
 * The life of a tracked call: route it, credit it to a visit, record how it went. Routing must
 * survive a slow or failed store: whatever fails after the route is known, the caller is forwarded.
 */
export class CallService {
  private readonly poolCache = new TtlCache<Pool | null>(30_000);

  constructor(
    private readonly numbers: NumberDirectory,
    private readonly pools: PoolConfigStore,
    private readonly poolStore: PoolStore,
    private readonly calls: CallStore,
    private readonly recovery: PoolRecovery,
  ) {}

  async routeInbound(p: InboundCallParams, now: number): Promise<RoutingDecision> {
    const route = await this.numbers.routeFor(p.To);
    if (!route || !route.forwardTo || route.status === 'released') {
      log.warn('call to a number with no route', { to: p.To });
      return { kind: 'unknown-number' };
    }
    let attribution: Attribution = UNATTRIBUTED;
    let needsReattribution = false;
    try {
      // Overflow and static numbers are never leased: no visit can explain their calls.
      const rotating = route.role === 'pool' && route.poolId;
      const pool = rotating ? await this.poolCache.get(route.poolId as string, () => this.pools.findById(route.poolId as string)) : null;
      // Bounded: a pool store that hangs (a cluster with no reachable node) must not hold the caller.
      attribution = attributeCall(pool ? await withTimeout(this.holdersOf(pool, route.numberId, now), ATTRIBUTION_BUDGET_MS, 'attribution lookup') : null);
    } catch (err) {
      // The pool store (or the pool's settings) could not be read: forward anyway, credit later.
      needsReattribution = true;
      log.error('attribution lookup failed; call forwarded unattributed', { callSid: p.CallSid, error: err });
    }
    try {
      await this.calls.recordInbound({
        callSid: p.CallSid,
        siteId: route.siteId,
        poolId: route.poolId,
        numberId: route.numberId,
        from: p.From ?? null,
        to: p.To,
        direction: p.Direction ?? null,
        status: p.CallStatus && isCallStatus(p.CallStatus) ? p.CallStatus : 'ringing',
        startedAt: new Date(now),
        forwardedTo: route.forwardTo,
        visitId: attribution.visitId,
        attribution: attribution.method,
        candidates: attribution.candidates,
        leaseToken: attribution.leaseToken,
        staticSource: attribution.method === 'static' ? (route.staticSource ?? (route.role === 'overflow' ? 'overflow' : null)) : null,
        needsReattribution,
      });
    } catch (err) {
      log.error('call record not written; call still forwarded', { callSid: p.CallSid, error: err });
    }
    log.info('call routed', { callSid: p.CallSid, attribution: attribution.method });
    return { kind: 'forward', forwardTo: route.forwardTo, callerId: p.From ?? null, callId: p.CallSid };
  }

  /** Nobody holding the number may mean the pool store lost its state: rebuild and ask again. */
  private async holdersOf(pool: Pool, numberId: string, now: number) {
    const holders = await this.poolStore.holders(poolSettings(pool), numberId, now);
    if (holders.live || holders.recent.length || !(await this.recovery.recoverIfLost(pool, now))) return holders;
    return this.poolStore.holders(poolSettings(pool), numberId, now);
  }

  async recordStatus(p: { CallSid: string; CallStatus: string; SequenceNumber?: string; CallDuration?: string; Timestamp?: string; From?: string; To?: string }, now: number): Promise<EventOutcome | 'ignored'> {
    if (!isCallStatus(p.CallStatus)) return 'ignored';
    const status: CallStatus = p.CallStatus;
    const eventKey = p.SequenceNumber !== undefined ? `status:seq:${p.SequenceNumber}` : `status:${status}`;
    return this.calls.applyStatus({
      callSid: p.CallSid,
      eventKey,
      status,
      at: parseTwilioTimestamp(p.Timestamp) ?? new Date(now),
      durationSeconds: parseSeconds(p.CallDuration),
      from: p.From ?? null,
      to: p.To ?? null,
    });
  }

  async recordDialOutcome(p: { CallSid: string; DialCallStatus?: string; DialCallSid?: string; DialCallDuration?: string }, now: number): Promise<EventOutcome | 'ignored'> {
    if (!p.DialCallStatus) return 'ignored';
    return this.calls.applyDialOutcome({
      callSid: p.CallSid,
      eventKey: `dial:${p.DialCallSid ?? ''}:${p.DialCallStatus}`,
      dialStatus: p.DialCallStatus,
      dialCallSid: p.DialCallSid ?? null,
      talkSeconds: parseSeconds(p.DialCallDuration) ?? null,
      answered: isAnsweredDialStatus(p.DialCallStatus),
      at: new Date(now),
    });
  }
}

function parseSeconds(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d{1,7}$/.test(v)) return undefined;
  return Number(v);
}

/** Twilio sends RFC 2822 dates ("Mon, 30 Nov 2026 10:00:57 +0000"). */
function parseTwilioTimestamp(v: string | undefined): Date | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return isStorableInstant(d.getTime()) ? d : undefined;
}
