import type { Client } from 'pg';
import type { Ledger } from './ledger';

/**
 * The load test's verdicts, read from the database once every instance has stopped (SIGTERM flushes
 * lease history and page views) and compared with the ledger of what the service accepted.
 */
export interface Check {
  name: string;
  pass: boolean;
  detail: string;
}

const SAMPLES = 3;
const sample = (items: string[]): string => (items.length ? ` (e.g. ${items.slice(0, SAMPLES).join('; ')})` : '');

export async function databaseChecks(db: Client, ledger: Ledger): Promise<Check[]> {
  return [
    ...(await callChecks(db, ledger)),
    await callEventCheck(db, ledger),
    await pageViewCheck(db, ledger),
    await visitCheck(db, ledger),
    await overlapCheck(db),
    await grantCheck(db, ledger),
    {
      name: 'no lease was told to two visits',
      pass: ledger.conflictingGrants.length === 0,
      detail: `${ledger.grants.size} leases told to visitors, ${ledger.conflictingGrants.length} told to two${sample(ledger.conflictingGrants)}`,
    },
  ];
}

async function callChecks(db: Client, ledger: Ledger): Promise<Check[]> {
  const { rows } = await db.query<{ call_sid: string; inbound_recorded: boolean; status: string }>('SELECT call_sid, inbound_recorded, status FROM calls');
  const stored = new Map(rows.map((r) => [r.call_sid, r]));
  const missing: string[] = [];
  const notInbound: string[] = [];
  const wrongStatus: string[] = [];
  let answered = 0;
  let requests = 0;
  for (const [sid, call] of ledger.calls) {
    requests += call.requests;
    const row = stored.get(sid);
    if (call.inbound === 'accepted') {
      answered += 1;
      if (!row) missing.push(sid);
      else if (!row.inbound_recorded) notInbound.push(sid);
    }
    if (row && call.finalStatus && row.status !== call.finalStatus) wrongStatus.push(`${sid} is ${row.status}, last reported ${call.finalStatus}`);
  }
  const unknown = rows.filter((r) => !ledger.calls.has(r.call_sid)).map((r) => r.call_sid);
  const { rows: dup } = await db.query<{ n: number }>('SELECT (count(*) - count(DISTINCT call_sid))::int AS n FROM calls');
  const completed = [...ledger.calls.values()].filter((c) => c.finalStatus === 'completed').length;
  return [
    {
      name: 'every call is in `calls` exactly once, with its voice webhook recorded',
      pass: missing.length + notInbound.length + unknown.length + dup[0].n === 0,
      detail: `${ledger.calls.size} calls placed with ${requests} webhook requests, ${answered} answered with a <Dial>; ${rows.length} rows: ${missing.length} missing, ${notInbound.length} without inbound_recorded, ${unknown.length} never placed, ${dup[0].n} duplicate call_sid${sample([...missing, ...notInbound, ...unknown])}`,
    },
    {
      name: 'every call ends in the last status reported for it (a late or repeated callback changes nothing)',
      pass: wrongStatus.length === 0,
      detail: `${completed} calls reported completed; ${wrongStatus.length} rows in another status${sample(wrongStatus)}`,
    },
  ];
}

async function callEventCheck(db: Client, ledger: Ledger): Promise<Check> {
  const { rows } = await db.query<{ call_sid: string; event_key: string }>('SELECT call_sid, event_key FROM call_events');
  const stored = new Map<string, Set<string>>();
  for (const r of rows) stored.set(r.call_sid, (stored.get(r.call_sid) ?? new Set()).add(r.event_key));
  const missing: string[] = [];
  const refusedButStored: string[] = [];
  let accepted = 0;
  for (const [sid, call] of ledger.calls) {
    const have = stored.get(sid) ?? new Set<string>();
    for (const [key, delivery] of call.events) {
      if (delivery === 'accepted') accepted += 1;
      if (delivery === 'accepted' && !have.has(key)) missing.push(`${sid} ${key}`);
      if (delivery === 'refused' && have.has(key)) refusedButStored.push(`${sid} ${key}`);
    }
  }
  const unknown = rows.filter((r) => !ledger.calls.get(r.call_sid)?.events.has(r.event_key)).map((r) => `${r.call_sid} ${r.event_key}`);
  return {
    name: '`call_events` holds each distinct event the service accepted, once',
    pass: missing.length + refusedButStored.length + unknown.length === 0,
    detail: `${accepted} distinct events accepted; ${rows.length} rows (primary key call_sid, event_key): ${missing.length} missing, ${unknown.length} never sent, ${refusedButStored.length} stored although refused${sample([...missing, ...unknown, ...refusedButStored])}`,
  };
}

async function pageViewCheck(db: Client, ledger: Ledger): Promise<Check> {
  const { rows } = await db.query<{ visit_id: string; n: number; entries: number }>(
    `SELECT visit_id, count(*)::int AS n, (count(*) FILTER (WHERE kind = 'entry'))::int AS entries FROM page_views GROUP BY visit_id`,
  );
  const stored = new Map(rows.map((r) => [r.visit_id, r]));
  const wrong: string[] = [];
  let sent = 0;
  let uncertain = 0;
  for (const [visitId, v] of ledger.visits) {
    sent += v.pageViews;
    uncertain += v.uncertainPageViews;
    const row = stored.get(visitId);
    const n = row?.n ?? 0;
    if (n < v.pageViews || n > v.pageViews + v.uncertainPageViews) wrong.push(`${visitId}: ${n} stored, ${v.pageViews} accepted${v.uncertainPageViews ? ` (+${v.uncertainPageViews} unanswered)` : ''}`);
    else if (row && row.entries !== 1) wrong.push(`${visitId}: ${row.entries} entry pages`);
  }
  const unknown = rows.filter((r) => !ledger.visits.has(r.visit_id));
  const total = rows.reduce((a, r) => a + r.n, 0);
  return {
    name: 'page views stored per visit == page views accepted (one entry page each)',
    pass: wrong.length === 0 && unknown.length <= ledger.uncertainVisitRequests,
    detail: `${sent} page views accepted over ${ledger.visits.size} visits${uncertain ? ` (+${uncertain} unanswered)` : ''}; ${total} rows; ${wrong.length} visits differ, ${unknown.length} rows of visits never told of (allowed: ${ledger.uncertainVisitRequests} unanswered visit requests)${sample(wrong)}`,
  };
}

/** Visits are keyed by (id, started_at) since they are partitioned by month: an id must still appear once. */
async function visitCheck(db: Client, ledger: Ledger): Promise<Check> {
  const { rows } = await db.query<{ id: string; n: number }>('SELECT id, count(*)::int AS n FROM visits GROUP BY id');
  const stored = new Map(rows.map((r) => [r.id, r.n]));
  const missing = [...ledger.visits.keys()].filter((id) => !stored.has(id));
  const doubled = rows.filter((r) => r.n > 1).map((r) => `${r.id} x${r.n}`);
  const unknown = rows.filter((r) => !ledger.visits.has(r.id)).length;
  return {
    name: 'every visit the service issued is in `visits`, once',
    pass: missing.length === 0 && doubled.length === 0 && unknown <= ledger.uncertainVisitRequests,
    detail: `${ledger.visits.size} visits issued; ${rows.length} ids stored: ${missing.length} missing, ${doubled.length} stored more than once, ${unknown} never told of${sample([...missing, ...doubled])}`,
  };
}

/** test/integration/no-double-lease.test.ts's query: [started_at, ended_at) intervals, an open lease lasting forever. */
async function overlapCheck(db: Client): Promise<Check> {
  const { rows } = await db.query<{ number_id: string; a: string; b: string }>(
    `SELECT a.number_id, format('token %s %s..%s', a.token, a.started_at, COALESCE(a.ended_at::text, 'open')) AS a,
            format('token %s %s..%s', b.token, b.started_at, COALESCE(b.ended_at::text, 'open')) AS b
       FROM leases a JOIN leases b ON a.number_id = b.number_id AND a.token < b.token
      WHERE a.started_at < COALESCE(b.ended_at, 'infinity') AND b.started_at < COALESCE(a.ended_at, 'infinity')
      LIMIT 100`,
  );
  const { rows: count } = await db.query<{ leases: number; numbers: number }>('SELECT count(*)::int AS leases, count(DISTINCT number_id)::int AS numbers FROM leases');
  return {
    name: 'no number was leased to two visits at once (no overlapping rows in `leases`)',
    pass: rows.length === 0,
    detail: `${count[0].leases} leases of ${count[0].numbers} numbers; ${rows.length}${rows.length === 100 ? '+' : ''} overlapping pairs${sample(rows.map((r) => `${r.number_id}: ${r.a} / ${r.b}`))}`,
  };
}

async function grantCheck(db: Client, ledger: Ledger): Promise<Check> {
  const { rows } = await db.query<{ e164: string; token: string; visit_id: string }>(
    'SELECT n.e164, l.token::text AS token, l.visit_id FROM leases l JOIN tracking_numbers n ON n.id = l.number_id',
  );
  const stored = new Map(rows.map((r) => [`${r.e164}#${r.token}`, r.visit_id]));
  const wrong: string[] = [];
  for (const [key, visitId] of ledger.grants) {
    const holder = stored.get(key);
    if (holder !== visitId) wrong.push(`${key}: told to ${visitId}, stored ${holder ?? 'nothing'}`);
  }
  const untold = rows.filter((r) => !ledger.grants.has(`${r.e164}#${r.token}`)).length;
  return {
    name: 'every lease a visitor was told of is in `leases`, with that visit',
    pass: wrong.length === 0 && untold <= ledger.uncertainVisitRequests,
    detail: `${ledger.grants.size} leases told; ${rows.length} rows: ${wrong.length} missing or with another visit, ${untold} never told of${sample(wrong)}`,
  };
}

/** What the run produced, for the report: calls by attribution, leases by how they ended. */
export async function databaseFacts(db: Client): Promise<string[]> {
  const list = (rows: { k: string | null; n: number }[]) => rows.map((r) => `${r.k ?? 'open'} ${r.n}`).join(', ');
  const attribution = await db.query<{ k: string; n: number }>('SELECT attribution AS k, count(*)::int AS n FROM calls GROUP BY 1 ORDER BY 2 DESC');
  const ends = await db.query<{ k: string | null; n: number }>('SELECT end_reason AS k, count(*)::int AS n FROM leases GROUP BY 1 ORDER BY 2 DESC');
  const dial = await db.query<{ k: string | null; n: number }>('SELECT dial_status AS k, count(*)::int AS n FROM calls GROUP BY 1 ORDER BY 2 DESC');
  return [`calls by attribution: ${list(attribution.rows)}`, `calls by dial status: ${list(dial.rows)}`, `leases by end: ${list(ends.rows)}`];
}
