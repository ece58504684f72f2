import type { NumberDirectory } from '../numbers/number-directory';
import type { NumberRoute, RoutePool } from '../numbers/number-store';
import { poolSettings } from '../pool/pool-config-store';
import type { PoolRecovery } from '../pool/pool-recovery';
import type { PoolStore } from '../pool/pool-store';
import { getLogger } from '../shared/logging/logger';
import { withTimeout } from '../shared/with-timeout';
import { isStorableInstant } from '../shared/time';
import { attributeCall, UNATTRIBUTED, type Attribution, type AttributionMethod } from './domain/attribution';
import { isAnsweredDialStatus, isCallStatus, type CallStatus } from './domain/call-status';
import { nextStepAfterDial, type CallRouting, type NextStep } from './domain/routing';
import type { CallerDetails } from './call-store';
import type { CallWhisper } from './call-whisper';
import type { CallWriter, WriteOutcome } from './durable/call-writer';
import type { SubjectLimits } from '../privacy/subject-limits';

const log = getLogger('calls');
/** Twilio waits 15 s for TwiML; the lookup that credits the call gets a small share of that. */
const ATTRIBUTION_BUDGET_MS = 2000;
const RELEASED: Attribution = { ...UNATTRIBUTED, method: 'released-number' };

/** The fields of Twilio's voice webhook we keep (every field received is still signed and checked). */
export interface InboundCallParams {
  CallSid: string;
  From?: string;
  To: string;
  Direction?: string;
  CallStatus?: string;
  CallerName?: string;
  ForwardedFrom?: string;
  FromCity?: string;
  FromState?: string;
  FromZip?: string;
  FromCountry?: string;
  StirVerstat?: string;
}

export type RoutingDecision =
  | { kind: 'forward'; forwardTo: string; callerId: string | null; callId: string; routing: CallRouting; write: WriteOutcome; attribution: AttributionMethod }
  | { kind: 'unknown-number' };

export type DialAttempt = 'primary' | 'fallback' | 'voicemail';

/**
 * The life of a tracked call: route it, credit it to a visit, record how it went. Routing needs no
 * database (routes are in memory) and every write goes through the CallWriter, which queues what
 * Postgres does not take in time: whatever fails, the caller is put through and nothing is lost.
 */
export class CallService {
  constructor(
    private readonly numbers: NumberDirectory,
    private readonly poolStore: PoolStore,
    private readonly writer: CallWriter,
    private readonly recovery: PoolRecovery,
    readonly whisper: CallWhisper,
    private readonly limits: SubjectLimits,
  ) {}

  /**
   * `attribute: false` (the Voice Fallback URL, when the first attempt already failed) skips the pool
   * store altogether: the call is put through at once and credited later from the lease history.
   */
  async routeInbound(p: InboundCallParams, now: number, opts: { attribute?: boolean } = {}): Promise<RoutingDecision> {
    const route = await this.numbers.routeFor(p.To);
    if (!route || !route.forwardTo || route.status === 'released') {
      log.warn('call to a number with no route', { to: p.To });
      return { kind: 'unknown-number' };
    }
    // The caller objected (kept anonymised) or restricted processing (kept, not linked): forwarded all the same.
    const limit = this.limits.limitOf(route.siteId, 'phone', p.From);
    const { attribution, needsReattribution } = limit ? { attribution: UNATTRIBUTED, needsReattribution: false } : await this.attribute(route, p.CallSid, now, opts.attribute ?? true);
    const staticSource = attribution.method === 'static' ? (route.staticSource ?? (route.role === 'overflow' ? 'overflow' : null)) : null;
    const write = await this.writer.write({
      kind: 'inbound',
      call: {
        callSid: p.CallSid,
        siteId: route.siteId,
        poolId: route.poolId,
        numberId: route.numberId,
        from: limit === 'objected' ? null : (p.From ?? null),
        to: p.To,
        direction: p.Direction ?? null,
        status: p.CallStatus && isCallStatus(p.CallStatus) ? p.CallStatus : 'ringing',
        startedAt: new Date(now),
        forwardedTo: route.forwardTo,
        visitId: attribution.visitId,
        attribution: attribution.method,
        candidates: attribution.candidates,
        leaseToken: attribution.leaseToken,
        staticSource,
        needsReattribution,
        caller: limit === 'objected' ? undefined : callerDetails(p),
        restricted: limit === 'restricted',
        anonymised: limit === 'objected',
      },
    });
    if (route.routing.whisper) this.whisper.remember(p.CallSid, route.routing.whisper, staticSource, now);
    log.info('call routed', { callSid: p.CallSid, attribution: attribution.method, write });
    return { kind: 'forward', forwardTo: route.forwardTo, callerId: p.From ?? null, callId: p.CallSid, routing: route.routing, write, attribution: attribution.method };
  }

  private async attribute(route: NumberRoute, callSid: string, now: number, lookUp: boolean): Promise<{ attribution: Attribution; needsReattribution: boolean }> {
    if (route.status === 'quarantined') return { attribution: RELEASED, needsReattribution: false };
    // Overflow and static numbers are never leased: no visit can explain their calls.
    const pool = route.role === 'pool' ? route.pool : null;
    if (!pool) return { attribution: attributeCall(null), needsReattribution: false };
    if (!lookUp) return { attribution: UNATTRIBUTED, needsReattribution: true };
    try {
      // Bounded: a pool store that hangs (a cluster with no reachable node) must not hold the caller.
      return { attribution: attributeCall(await withTimeout(this.holdersOf(pool, route.numberId, now), ATTRIBUTION_BUDGET_MS, 'attribution lookup')), needsReattribution: false };
    } catch (err) {
      // The pool store could not be asked: forward anyway, credit later from the lease history.
      log.error('attribution lookup failed; call forwarded unattributed', { callSid, error: err });
      return { attribution: UNATTRIBUTED, needsReattribution: true };
    }
  }

  /** Nobody holding the number may mean the pool store lost its state: rebuild and ask again. */
  private async holdersOf(pool: RoutePool, numberId: string, now: number) {
    const holders = await this.poolStore.holders(poolSettings(pool), numberId, now);
    if (holders.live || holders.recent.length || !(await this.recovery.recoverIfLost(pool, now))) return holders;
    return this.poolStore.holders(poolSettings(pool), numberId, now);
  }

  async recordStatus(p: { CallSid: string; CallStatus: string; SequenceNumber?: string; CallDuration?: string; Timestamp?: string; From?: string; To?: string }, now: number): Promise<WriteOutcome | 'ignored'> {
    if (!isCallStatus(p.CallStatus)) return 'ignored';
    const status: CallStatus = p.CallStatus;
    const route = p.To ? await this.numbers.routeFor(p.To).catch(() => null) : null;
    const objected = this.limits.limitOf(route?.siteId ?? null, 'phone', p.From) === 'objected';
    return this.writer.write({
      kind: 'status',
      update: {
        callSid: p.CallSid,
        eventKey: p.SequenceNumber !== undefined ? `status:seq:${p.SequenceNumber}` : `status:${status}`,
        status,
        at: parseTwilioTimestamp(p.Timestamp) ?? new Date(now),
        durationSeconds: parseSeconds(p.CallDuration),
        from: objected ? null : (p.From ?? null),
        to: p.To ?? null,
      },
    });
  }

  /**
   * Records how a forward went and decides what the caller hears next: an unanswered first attempt
   * goes to the pool's fallback (a second number or voicemail), anything else ends the call.
   */
  async recordDialOutcome(
    p: { CallSid: string; To?: string; From?: string; DialCallStatus?: string; DialCallSid?: string; DialCallDuration?: string },
    attempt: DialAttempt,
    now: number,
  ): Promise<{ next: NextStep; routing: CallRouting | null; write: WriteOutcome | 'ignored' }> {
    // The route is in memory; without it there is no fallback to offer, and the call simply ends.
    const route = p.To ? await this.numbers.routeFor(p.To).catch(() => null) : null;
    const next = nextStepAfterDial(p.DialCallStatus, attempt === 'voicemail' ? 'fallback' : attempt, route?.routing ?? null);
    if (!p.DialCallStatus) return { next, routing: route?.routing ?? null, write: 'ignored' };
    const write = await this.writer.write({
      kind: 'dial',
      outcome: {
        callSid: p.CallSid,
        eventKey: attempt === 'primary' ? `dial:${p.DialCallSid ?? ''}:${p.DialCallStatus}` : `dial:${attempt}:${p.DialCallSid ?? ''}:${p.DialCallStatus}`,
        dialStatus: p.DialCallStatus,
        dialCallSid: p.DialCallSid ?? null,
        talkSeconds: parseSeconds(p.DialCallDuration) ?? null,
        answered: isAnsweredDialStatus(p.DialCallStatus),
        at: new Date(now),
        fallback: next.kind === 'dial-fallback' ? 'number' : next.kind === 'voicemail' ? 'voicemail' : null,
      },
    });
    return { next, routing: route?.routing ?? null, write };
  }

  /** A status event of a forwarded leg (<Number statusCallback>), deduplicated per leg and SequenceNumber. */
  async recordLegStatus(p: { CallSid: string; ParentCallSid: string; CallStatus: string; SequenceNumber?: string; CallDuration?: string; Timestamp?: string; To?: string }, now: number): Promise<WriteOutcome | 'ignored'> {
    if (!isCallStatus(p.CallStatus)) return 'ignored';
    return this.writer.write({
      kind: 'leg',
      update: {
        callSid: p.CallSid,
        parentCallSid: p.ParentCallSid,
        eventKey: p.SequenceNumber !== undefined ? `leg:seq:${p.SequenceNumber}` : `leg:${p.CallStatus}`,
        status: p.CallStatus,
        at: parseTwilioTimestamp(p.Timestamp) ?? new Date(now),
        to: p.To ?? null,
        durationSeconds: parseSeconds(p.CallDuration),
      },
    });
  }

  /** A finished recording (the call, or a voicemail) is stored on the call; other recording events are ignored. */
  async recordRecording(p: { CallSid: string; RecordingSid: string; RecordingUrl: string; RecordingStatus?: string; RecordingDuration?: string }, kind: 'call' | 'voicemail', now: number): Promise<WriteOutcome | 'ignored'> {
    const status = p.RecordingStatus ?? 'completed';
    if (status !== 'completed') return 'ignored';
    return this.writer.write({
      kind: 'recording',
      update: { callSid: p.CallSid, eventKey: `recording:${p.RecordingSid}:${status}`, recordingSid: p.RecordingSid, url: p.RecordingUrl, durationSeconds: parseSeconds(p.RecordingDuration) ?? null, kind, at: new Date(now) },
    });
  }
}

function callerDetails(p: InboundCallParams): CallerDetails {
  const v = (s: string | undefined) => (s && s.trim() ? s.trim() : null);
  return { name: v(p.CallerName), forwardedFrom: v(p.ForwardedFrom), city: v(p.FromCity), state: v(p.FromState), zip: v(p.FromZip), country: v(p.FromCountry), stirVerstat: v(p.StirVerstat) };
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
