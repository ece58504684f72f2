import type { EndedHolder, ForgetVisitsResult, LeaseEndReason, LeaseEvent, NumberHolders, PoolStats } from '../pool-store';

/** Decoders for the flat replies of holders-7.lua, stats-9.lua, readEvents-1.lua and forgetVisits-7.lua. */

export function toNumberHolders(numberId: string, reply: unknown): NumberHolders {
  const r = asArray(reply);
  const hasLive = Number(r[0]) === 1;
  const live = hasLive
    ? { numberId, visitId: String(r[1]), token: Number(r[2]), startedAt: Number(r[3]), renewedAt: Number(r[4]), expiresAt: Number(r[5]) }
    : null;
  const recent: EndedHolder[] = [];
  for (let i = hasLive ? 6 : 1; i + 3 < r.length; i += 4) {
    recent.push({ visitId: String(r[i]), token: Number(r[i + 1]), startedAt: Number(r[i + 2]), endedAt: Number(r[i + 3]) });
  }
  return { live, recent };
}

export function toPoolStats(reply: unknown): PoolStats {
  const [total, leased, available, coolingDown, exhaustedCount] = asArray(reply).map(Number);
  return { total, leased, available, coolingDown, exhaustedCount };
}

export function toForgetVisitsResult(reply: unknown): ForgetVisitsResult {
  const [leasesEnded, holdersForgotten] = asArray(reply).map(Number);
  return { leasesEnded, holdersForgotten };
}

/** Stream entries {{id, {field, value, ...}}, ...} into ids and events. */
export function toLeaseEvents(poolId: string, reply: unknown): { ids: string[]; events: LeaseEvent[] } {
  const ids: string[] = [];
  const events: LeaseEvent[] = [];
  for (const entry of asArray(reply)) {
    const [id, fields] = asArray(entry);
    ids.push(String(id));
    events.push(toLeaseEvent(poolId, fieldMap(asArray(fields))));
  }
  return { ids, events };
}

function toLeaseEvent(poolId: string, f: Map<string, string>): LeaseEvent {
  if (f.get('type') === 'note') return { type: 'note', poolId, visitId: field(f, 'visitId'), at: Number(field(f, 'at')), note: field(f, 'note') };
  const common = { poolId, numberId: field(f, 'numberId'), visitId: field(f, 'visitId'), token: Number(field(f, 'token')), at: Number(field(f, 'at')) };
  const type = field(f, 'type');
  if (type === 'granted') return { type, ...common };
  if (type === 'ended') {
    return {
      type,
      ...common,
      startedAt: Number(field(f, 'startedAt')),
      renewedAt: Number(field(f, 'renewedAt')),
      reason: field(f, 'reason') as LeaseEndReason,
    };
  }
  throw new Error(`Unknown lease event type ${JSON.stringify(type)}`);
}

function fieldMap(flat: unknown[]): Map<string, string> {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < flat.length; i += 2) map.set(String(flat[i]), String(flat[i + 1]));
  return map;
}

function field(f: Map<string, string>, name: string): string {
  const value = f.get(name);
  if (value === undefined) throw new Error(`Lease event without ${name}`);
  return value;
}

function asArray(value: unknown): unknown[] {
  if (!Array.isArray(value)) throw new Error(`Unexpected pool script reply: ${JSON.stringify(value)}`);
  return value;
}
