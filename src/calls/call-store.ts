import type { Database, Queryable } from '../db/database';
import { PersonalDataCipher } from '../privacy/personal-data-cipher';
import { recordCallEvent } from '../integrations/call-outbox';
import { callFilterSql, type CallFilter } from './call-filter';
import type { AttributionCandidate, AttributionMethod } from './domain/attribution';
import type { CallStatus } from './domain/call-status';
import { statusRank } from './domain/call-status';

export interface InboundCall {
  callSid: string;
  siteId: string | null;
  poolId: string | null;
  numberId: string | null;
  from: string | null;
  to: string;
  direction: string | null;
  status: CallStatus;
  startedAt: Date;
  forwardedTo: string | null;
  visitId: string | null;
  attribution: AttributionMethod;
  candidates: AttributionCandidate[];
  leaseToken: number | null;
  /** The source credited when no visit explains the call (static or overflow number). */
  staticSource: string | null;
  needsReattribution: boolean;
  /** What Twilio says about the caller (absent = nothing known). */
  caller?: CallerDetails;
  /**
   * The caller asked for restricted processing: the call is kept but left out of reports, exports
   * and webhooks, and not linked to earlier calls. Absent = false.
   */
  restricted?: boolean;
  /** The caller objected: nothing identifying them is stored (the row is born anonymised). */
  anonymised?: boolean;
}

/** Caller facts from the voice webhook, kept for the client: CallerName, ForwardedFrom, From*, StirVerstat. */
export interface CallerDetails {
  name: string | null;
  forwardedFrom: string | null;
  city: string | null;
  state: string | null;
  zip: string | null;
  country: string | null;
  /** STIR/SHAKEN verification of the caller id, e.g. TN-Validation-Passed-A. */
  stirVerstat: string | null;
}

export interface StatusUpdate {
  callSid: string;
  /** Identifies one delivery (e.g. "status:seq:3"); a second delivery with the same key changes nothing. */
  eventKey: string;
  status: CallStatus;
  at: Date;
  durationSeconds?: number;
  from?: string | null;
  to?: string | null;
}

export interface DialOutcome {
  callSid: string;
  eventKey: string;
  dialStatus: string;
  dialCallSid: string | null;
  talkSeconds: number | null;
  answered: boolean;
  at: Date;
  /** Set when the forward went unanswered and the pool's fallback takes the call. */
  fallback?: 'number' | 'voicemail' | null;
}

/** One status event of a forwarded leg (<Number statusCallback>), keyed by the leg's own CallSid. */
export interface LegStatusUpdate {
  callSid: string;
  parentCallSid: string;
  eventKey: string;
  status: CallStatus;
  at: Date;
  to: string | null;
  durationSeconds?: number;
}

export interface RecordingUpdate {
  callSid: string;
  eventKey: string;
  recordingSid: string;
  url: string;
  durationSeconds: number | null;
  kind: 'call' | 'voicemail';
  at: Date;
}

export interface CallLeg {
  callSid: string;
  to: string | null;
  status: CallStatus;
  durationSeconds: number | null;
  startedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
}

export interface CallRecord {
  id: string;
  callSid: string;
  siteId: string | null;
  poolId: string | null;
  from: string | null;
  to: string | null;
  direction: string | null;
  status: CallStatus;
  durationSeconds: number | null;
  dialStatus: string | null;
  talkSeconds: number | null;
  startedAt: Date;
  answeredAt: Date | null;
  endedAt: Date | null;
  forwardedTo: string | null;
  visitId: string | null;
  attribution: AttributionMethod;
  attributionCandidates: AttributionCandidate[];
  needsReattribution: boolean;
  staticSource: string | null;
  /** The caller's previous call to this site, if any: a repeat caller. */
  previousCallId: string | null;
  visit: VisitSourceFields | null;
  caller: CallerDetails;
  fallback: 'number' | 'voicemail' | null;
  recording: { sid: string; url: string; durationSeconds: number | null; kind: 'call' | 'voicemail' } | null;
  /** The source saved on the call itself, which outlives its visit (retention, erasure). */
  savedSource: { source: string; medium: string | null; campaign: string | null } | null;
  restricted: boolean;
  anonymisedAt: Date | null;
}

export interface VisitSourceFields {
  source: string;
  medium: string;
  campaign: string | null;
  term: string | null;
  content: string | null;
  referrer: string | null;
  landingPage: string;
  gclid: string | null;
}

/** A page of the call list, newest first. */
export interface CallQuery extends CallFilter {
  limit: number;
}

export type EventOutcome = 'applied' | 'duplicate';

export interface CallStore {
  /** 'duplicate' when the voice webhook was already recorded (a retry): nothing changes then. */
  recordInbound(call: InboundCall): Promise<EventOutcome>;
  applyStatus(update: StatusUpdate): Promise<EventOutcome>;
  applyDialOutcome(outcome: DialOutcome): Promise<EventOutcome>;
  applyLegStatus(update: LegStatusUpdate): Promise<EventOutcome>;
  applyRecording(update: RecordingUpdate): Promise<EventOutcome>;
  findById(id: string): Promise<CallRecord | null>;
  list(query: CallQuery): Promise<CallRecord[]>;
  listLegs(parentCallSid: string): Promise<CallLeg[]>;
  /** What the whisper says: the credited visit's source, or the number's static source. */
  findSourceOf(callSid: string): Promise<{ visitId: string | null; source: string | null; medium: string | null; staticSource: string | null } | null>;
}

/** A visit under restricted processing (GDPR art. 18) lends the call none of its details while restricted. */
const SELECT_CALL = `
  SELECT c.id, c.call_sid, c.site_id, c.pool_id, c.from_number, c.to_number, c.direction, c.status, c.duration_seconds,
         c.dial_status, c.talk_seconds, c.started_at, c.answered_at, c.ended_at, c.forwarded_to, c.visit_id,
         c.attribution, c.attribution_candidates, c.needs_reattribution, c.static_source, c.previous_call_id,
         c.caller_name, c.forwarded_from, c.from_city, c.from_state, c.from_zip, c.from_country, c.stir_verstat,
         c.fallback, c.recording_sid, c.recording_url, c.recording_duration_seconds, c.recording_kind,
         c.source AS saved_source, c.medium AS saved_medium, c.campaign AS saved_campaign, c.restricted, c.anonymised_at,
         v.source, v.medium, v.campaign, v.term, v.content, v.referrer, v.landing_page, v.gclid
    FROM calls c LEFT JOIN visits v ON v.id = c.visit_id AND NOT v.restricted`;

interface CallRow {
  id: string;
  call_sid: string;
  site_id: string | null;
  pool_id: string | null;
  from_number: string | null;
  to_number: string | null;
  direction: string | null;
  status: CallStatus;
  duration_seconds: number | null;
  dial_status: string | null;
  talk_seconds: number | null;
  started_at: Date;
  answered_at: Date | null;
  ended_at: Date | null;
  forwarded_to: string | null;
  visit_id: string | null;
  attribution: AttributionMethod;
  attribution_candidates: AttributionCandidate[] | string;
  needs_reattribution: boolean;
  static_source: string | null;
  previous_call_id: string | null;
  caller_name: string | null;
  forwarded_from: string | null;
  from_city: string | null;
  from_state: string | null;
  from_zip: string | null;
  from_country: string | null;
  stir_verstat: string | null;
  fallback: 'number' | 'voicemail' | null;
  recording_sid: string | null;
  recording_url: string | null;
  recording_duration_seconds: number | null;
  recording_kind: 'call' | 'voicemail' | null;
  saved_source: string | null;
  saved_medium: string | null;
  saved_campaign: string | null;
  restricted: boolean;
  anonymised_at: Date | null;
  source: string | null;
  medium: string | null;
  campaign: string | null;
  term: string | null;
  content: string | null;
  referrer: string | null;
  landing_page: string | null;
  gclid: string | null;
}

/** Rows written before encryption hold clear values until scripts/reencrypt-personal-data seals them. */
function openStored(cipher: PersonalDataCipher, value: string | null): string | null {
  return value !== null && PersonalDataCipher.isSealed(value) ? cipher.open(value) : value;
}

function toCall(r: CallRow, cipher: PersonalDataCipher): CallRecord {
  return {
    id: r.id,
    callSid: r.call_sid,
    siteId: r.site_id,
    poolId: r.pool_id,
    from: openStored(cipher, r.from_number),
    to: r.to_number,
    direction: r.direction,
    status: r.status,
    durationSeconds: r.duration_seconds,
    dialStatus: r.dial_status,
    talkSeconds: r.talk_seconds,
    startedAt: r.started_at,
    answeredAt: r.answered_at,
    endedAt: r.ended_at,
    forwardedTo: r.forwarded_to,
    visitId: r.visit_id,
    attribution: r.attribution,
    attributionCandidates: typeof r.attribution_candidates === 'string' ? JSON.parse(r.attribution_candidates) : r.attribution_candidates,
    needsReattribution: r.needs_reattribution,
    staticSource: r.static_source,
    previousCallId: r.previous_call_id,
    visit: r.source === null ? null : {
      source: r.source,
      medium: r.medium as string,
      campaign: r.campaign,
      term: r.term,
      content: r.content,
      referrer: r.referrer,
      landingPage: r.landing_page as string,
      gclid: r.gclid,
    },
    caller: {
      name: openStored(cipher, r.caller_name),
      forwardedFrom: openStored(cipher, r.forwarded_from),
      city: r.from_city,
      state: r.from_state,
      zip: r.from_zip,
      country: r.from_country,
      stirVerstat: r.stir_verstat,
    },
    fallback: r.fallback,
    recording: r.recording_sid && r.recording_url ? { sid: r.recording_sid, url: r.recording_url, durationSeconds: r.recording_duration_seconds, kind: r.recording_kind ?? 'call' } : null,
    savedSource: r.saved_source === null ? null : { source: r.saved_source, medium: r.saved_medium, campaign: r.saved_campaign },
    restricted: r.restricted,
    anonymisedAt: r.anonymised_at,
  };
}

const CREDITED_TO_A_VISIT: readonly AttributionMethod[] = ['lease', 'grace', 'ambiguous'];

/** Whether recording this voice webhook also tells of call.attributed (a visit was credited at once). */
const creditedToAVisit = (c: InboundCall): boolean => c.visitId !== null && CREDITED_TO_A_VISIT.includes(c.attribution);

interface LegRow {
  call_sid: string;
  to_number: string | null;
  status: CallStatus;
  duration_seconds: number | null;
  started_at: Date;
  answered_at: Date | null;
  ended_at: Date | null;
}

/**
 * Calls in Postgres. The caller's number, name and forwarding number are sealed on the way in and
 * opened on the way out (PersonalDataCipher); the caller's number is matched through its keyed index.
 */
export class SqlCallStore implements CallStore {
  constructor(
    private readonly db: Database,
    private readonly cipher: PersonalDataCipher,
  ) {}

  /**
   * First delivery of the voice webhook wins: a retried webhook (same CallSid) does not re-attribute,
   * while a row that an early status callback created is completed with the routing facts. The
   * caller's previous call to the same site is linked in the same statement (repeat callers). The
   * first recording writes the call's events to the outbox (docs/webhooks.md): call.started,
   * call.attributed when a visit is credited, and call.completed when the final status came first.
   */
  async recordInbound(c: InboundCall): Promise<EventOutcome> {
    // One statement (data-modifying CTEs), so the call and its events commit together without holding
    // a transaction open across round trips on the webhook's path.
    const { rows } = await this.db.query<{ id: string }>(
      `WITH recorded AS (
       INSERT INTO calls (call_sid, site_id, pool_id, number_id, from_number, to_number, direction, status, status_rank,
                            started_at, forwarded_to, visit_id, attribution, attribution_candidates, lease_token,
                            needs_reattribution, static_source, previous_call_id, inbound_recorded,
                            caller_name, forwarded_from, from_city, from_state, from_zip, from_country, stir_verstat,
                            from_index, restricted, anonymised_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb, $15, $16, $17,
                 (SELECT p.id FROM calls p
                   WHERE NOT $26 AND p.site_id = $2 AND p.from_index = $25 AND p.call_sid <> $1 AND p.inbound_recorded AND p.started_at <= $10
                   ORDER BY p.started_at DESC, p.id DESC LIMIT 1),
                 true, $18, $19, $20, $21, $22, $23, $24, $25, $26, CASE WHEN $27 THEN now() END)
         ON CONFLICT (call_sid) DO UPDATE SET
           site_id = EXCLUDED.site_id, pool_id = EXCLUDED.pool_id, number_id = EXCLUDED.number_id,
           from_number = CASE WHEN $27 THEN NULL ELSE COALESCE(calls.from_number, EXCLUDED.from_number) END, to_number = EXCLUDED.to_number,
           from_index = CASE WHEN $27 THEN NULL ELSE COALESCE(calls.from_index, EXCLUDED.from_index) END, restricted = EXCLUDED.restricted,
           anonymised_at = COALESCE(calls.anonymised_at, EXCLUDED.anonymised_at),
           direction = EXCLUDED.direction, started_at = LEAST(calls.started_at, EXCLUDED.started_at),
           forwarded_to = EXCLUDED.forwarded_to, visit_id = EXCLUDED.visit_id, attribution = EXCLUDED.attribution,
           attribution_candidates = EXCLUDED.attribution_candidates, lease_token = EXCLUDED.lease_token,
           needs_reattribution = EXCLUDED.needs_reattribution, static_source = EXCLUDED.static_source,
           previous_call_id = EXCLUDED.previous_call_id, inbound_recorded = true, updated_at = now(),
           caller_name = EXCLUDED.caller_name, forwarded_from = EXCLUDED.forwarded_from, from_city = EXCLUDED.from_city,
           from_state = EXCLUDED.from_state, from_zip = EXCLUDED.from_zip, from_country = EXCLUDED.from_country,
           stir_verstat = EXCLUDED.stir_verstat
         WHERE NOT calls.inbound_recorded
         RETURNING id, call_sid, site_id, status_rank, started_at, ended_at
       ), events AS (
         INSERT INTO call_outbox (type, call_id, call_sid, site_id, occurred_at)
         SELECT e.type, r.id, r.call_sid, r.site_id, e.at
           FROM recorded r
           CROSS JOIN LATERAL (VALUES (1, 'call.started', r.started_at, true),
                                      (2, 'call.attributed', r.started_at, $28::boolean),
                                      (3, 'call.completed', COALESCE(r.ended_at, r.started_at), r.status_rank = 3)) AS e(n, type, at, wanted)
          WHERE e.wanted AND r.site_id IS NOT NULL
          ORDER BY e.n
         ON CONFLICT (call_id, type) DO NOTHING
       )
       SELECT id FROM recorded`,
      [c.callSid, c.siteId, c.poolId, c.numberId, this.cipher.sealNullable(c.from), c.to, c.direction, c.status, statusRank(c.status), c.startedAt,
        c.forwardedTo, c.visitId, c.attribution, JSON.stringify(c.candidates), c.leaseToken, c.needsReattribution, c.staticSource,
        this.cipher.sealNullable(c.caller?.name), this.cipher.sealNullable(c.caller?.forwardedFrom), c.caller?.city ?? null, c.caller?.state ?? null, c.caller?.zip ?? null,
        c.caller?.country ?? null, c.caller?.stirVerstat ?? null, this.cipher.indexNullable('phone', c.from), c.restricted ?? false, c.anonymised ?? false,
        creditedToAVisit(c)],
    );
    // No row: the voice webhook was recorded before (ON CONFLICT ... WHERE), and its events with it.
    return rows.length ? 'applied' : 'duplicate';
  }

  async applyStatus(u: StatusUpdate): Promise<EventOutcome> {
    return this.db.transaction(async (tx) => {
      const fresh = await tx.query('INSERT INTO call_events (call_sid, event_key, status) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [u.callSid, u.eventKey, u.status]);
      if (fresh.rowCount === 0) return 'duplicate';
      const rank = statusRank(u.status);
      const final = rank === 3;
      // before_rank: the rank before this event, read under the row's lock in the same statement (one
      // round trip on the webhook's path), so the first final status is told apart from later ones.
      const { rows } = await tx.query<{ id: string; status_rank: number; inbound_recorded: boolean; ended_at: Date | null; before_rank: number | null }>(
        `WITH before AS (SELECT status_rank FROM calls WHERE call_sid = $1 FOR UPDATE)
         INSERT INTO calls (call_sid, status, status_rank, started_at, duration_seconds, ended_at, answered_at, from_number, to_number, from_index)
         VALUES ($1, $2, $3, $4, $5, CASE WHEN $6 THEN $4::timestamptz END, CASE WHEN $2 = 'in-progress' THEN $4::timestamptz END, $7, $8, $9)
         ON CONFLICT (call_sid) DO UPDATE SET
           status = CASE WHEN EXCLUDED.status_rank > calls.status_rank THEN EXCLUDED.status ELSE calls.status END,
           status_rank = GREATEST(calls.status_rank, EXCLUDED.status_rank),
           duration_seconds = COALESCE(EXCLUDED.duration_seconds, calls.duration_seconds),
           ended_at = COALESCE(calls.ended_at, EXCLUDED.ended_at),
           answered_at = COALESCE(calls.answered_at, EXCLUDED.answered_at),
           updated_at = now()
         RETURNING id, status_rank, inbound_recorded, ended_at, (SELECT status_rank FROM before) AS before_rank`,
        [u.callSid, u.status, rank, u.at, u.durationSeconds ?? null, final, this.cipher.sealNullable(u.from), u.to ?? null, this.cipher.indexNullable('phone', u.from)],
      );
      const call = rows[0];
      const wasFinal = (call.before_rank ?? 0) === 3;
      // A call whose voice webhook has not been recorded yet has no site: recordInbound tells of it then.
      if (call.status_rank === 3 && !wasFinal && call.inbound_recorded) await recordCallEvent(tx, 'call.completed', call.id, call.ended_at ?? u.at);
      return 'applied';
    });
  }

  async applyDialOutcome(o: DialOutcome): Promise<EventOutcome> {
    return this.db.transaction(async (tx) => {
      const fresh = await tx.query('INSERT INTO call_events (call_sid, event_key, status) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [o.callSid, o.eventKey, o.dialStatus]);
      if (fresh.rowCount === 0) return 'duplicate';
      // The dial outcome says how the forwarded leg went; the inbound call's own status comes from its status callback.
      await tx.query(
        `INSERT INTO calls (call_sid, status, status_rank, started_at, dial_status, dial_call_sid, talk_seconds, fallback)
         VALUES ($1, 'in-progress', 2, $2, $3, $4, $5, $7)
         ON CONFLICT (call_sid) DO UPDATE SET
           dial_status = EXCLUDED.dial_status, dial_call_sid = COALESCE(EXCLUDED.dial_call_sid, calls.dial_call_sid),
           talk_seconds = COALESCE(EXCLUDED.talk_seconds, calls.talk_seconds),
           answered_at = CASE WHEN $6 THEN COALESCE(calls.answered_at, calls.started_at) ELSE calls.answered_at END,
           fallback = COALESCE(calls.fallback, EXCLUDED.fallback),
           updated_at = now()`,
        [o.callSid, o.at, o.dialStatus, o.dialCallSid, o.talkSeconds, o.answered, o.fallback ?? null],
      );
      return 'applied';
    });
  }

  /** A leg's status only moves forward, like the call's; its events are keyed under the leg's own CallSid. */
  async applyLegStatus(u: LegStatusUpdate): Promise<EventOutcome> {
    return this.db.transaction(async (tx) => {
      const fresh = await tx.query('INSERT INTO call_events (call_sid, event_key, status) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [u.callSid, u.eventKey, u.status]);
      if (fresh.rowCount === 0) return 'duplicate';
      const rank = statusRank(u.status);
      await tx.query(
        `INSERT INTO call_legs (call_sid, parent_call_sid, to_number, status, status_rank, duration_seconds, started_at, answered_at, ended_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $4 = 'in-progress' THEN $7::timestamptz END, CASE WHEN $8 THEN $7::timestamptz END)
         ON CONFLICT (call_sid) DO UPDATE SET
           status = CASE WHEN EXCLUDED.status_rank > call_legs.status_rank THEN EXCLUDED.status ELSE call_legs.status END,
           status_rank = GREATEST(call_legs.status_rank, EXCLUDED.status_rank),
           to_number = COALESCE(call_legs.to_number, EXCLUDED.to_number),
           duration_seconds = COALESCE(EXCLUDED.duration_seconds, call_legs.duration_seconds),
           started_at = LEAST(call_legs.started_at, EXCLUDED.started_at),
           answered_at = COALESCE(call_legs.answered_at, EXCLUDED.answered_at),
           ended_at = COALESCE(call_legs.ended_at, EXCLUDED.ended_at),
           updated_at = now()`,
        [u.callSid, u.parentCallSid, u.to, u.status, rank, u.durationSeconds ?? null, u.at, rank === 3],
      );
      return 'applied';
    });
  }

  /** A recording (or a voicemail) of a call; a row that does not exist yet is created, as for statuses. */
  async applyRecording(r: RecordingUpdate): Promise<EventOutcome> {
    return this.db.transaction(async (tx) => {
      const fresh = await tx.query('INSERT INTO call_events (call_sid, event_key, status) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [r.callSid, r.eventKey, 'recording']);
      if (fresh.rowCount === 0) return 'duplicate';
      await tx.query(
        `INSERT INTO calls (call_sid, status, status_rank, started_at, recording_sid, recording_url, recording_duration_seconds, recording_kind)
         VALUES ($1, 'in-progress', 2, $6, $2, $3, $4, $5)
         ON CONFLICT (call_sid) DO UPDATE SET
           recording_sid = EXCLUDED.recording_sid, recording_url = EXCLUDED.recording_url,
           recording_duration_seconds = EXCLUDED.recording_duration_seconds, recording_kind = EXCLUDED.recording_kind, updated_at = now()`,
        [r.callSid, r.recordingSid, r.url, r.durationSeconds, r.kind, r.at],
      );
      return 'applied';
    });
  }

  async listLegs(parentCallSid: string): Promise<CallLeg[]> {
    const { rows } = await this.db.query<LegRow>(
      'SELECT call_sid, to_number, status, duration_seconds, started_at, answered_at, ended_at FROM call_legs WHERE parent_call_sid = $1 ORDER BY started_at, call_sid',
      [parentCallSid],
    );
    return rows.map((r) => ({ callSid: r.call_sid, to: r.to_number, status: r.status, durationSeconds: r.duration_seconds, startedAt: r.started_at, answeredAt: r.answered_at, endedAt: r.ended_at }));
  }

  async findSourceOf(callSid: string): Promise<{ visitId: string | null; source: string | null; medium: string | null; staticSource: string | null } | null> {
    const { rows } = await this.db.query<{ visit_id: string | null; source: string | null; medium: string | null; static_source: string | null }>(
      'SELECT c.visit_id, COALESCE(v.source, c.source) AS source, COALESCE(v.medium, c.medium) AS medium, c.static_source FROM calls c LEFT JOIN visits v ON v.id = c.visit_id WHERE c.call_sid = $1',
      [callSid],
    );
    const r = rows[0];
    return r ? { visitId: r.visit_id, source: r.source, medium: r.medium, staticSource: r.static_source } : null;
  }

  /** `within`: a transaction to read in (the outbox dispatcher reads the call in its own). */
  async findById(id: string, within: Queryable = this.db): Promise<CallRecord | null> {
    const { rows } = await within.query<CallRow>(`${SELECT_CALL} WHERE c.id = $1`, [id]);
    return rows[0] ? toCall(rows[0], this.cipher) : null;
  }

  async list(q: CallQuery): Promise<CallRecord[]> {
    const { where, params } = callFilterSql(q, 'newest-first');
    params.push(q.limit);
    const { rows } = await this.db.query<CallRow>(`${SELECT_CALL} WHERE ${where} ORDER BY c.started_at DESC, c.id DESC LIMIT $${params.length}`, params);
    return rows.map((r) => toCall(r, this.cipher));
  }
}
