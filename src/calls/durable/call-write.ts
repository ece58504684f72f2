import type { CallStore, DialOutcome, EventOutcome, InboundCall, LegStatusUpdate, RecordingUpdate, StatusUpdate } from '../call-store';

/**
 * One write a webhook makes to the call records. When Postgres does not take it in time it is queued
 * as JSON and applied later; every write is idempotent (CallSid unique, call_events keys), so applying
 * one twice, or after a write that was only slow, changes nothing.
 */
export type CallWrite =
  | { kind: 'inbound'; call: InboundCall }
  | { kind: 'status'; update: StatusUpdate }
  | { kind: 'dial'; outcome: DialOutcome }
  | { kind: 'leg'; update: LegStatusUpdate }
  | { kind: 'recording'; update: RecordingUpdate };

/** Bumped when the shape of a queued write changes, so an old entry is recognised rather than misread. */
const FORMAT = 1;

export async function applyCallWrite(store: CallStore, w: CallWrite): Promise<EventOutcome> {
  switch (w.kind) {
    case 'inbound':
      await store.recordInbound(w.call);
      return 'applied';
    case 'status':
      return store.applyStatus(w.update);
    case 'dial':
      return store.applyDialOutcome(w.outcome);
    case 'leg':
      return store.applyLegStatus(w.update);
    case 'recording':
      return store.applyRecording(w.update);
  }
}

/** The CallSid a write belongs to, for logs. */
export const callSidOf = (w: CallWrite): string => (w.kind === 'inbound' ? w.call.callSid : w.kind === 'dial' ? w.outcome.callSid : w.update.callSid);

export function serializeCallWrite(w: CallWrite): string {
  return JSON.stringify({ v: FORMAT, ...w });
}

/** Parses a queued write, turning its timestamps back into Dates; throws on anything else. */
export function parseCallWrite(text: string): CallWrite {
  const raw = JSON.parse(text) as { v?: number; kind?: string } & Record<string, Record<string, unknown>>;
  if (raw.v !== FORMAT) throw new Error(`queued call write has format ${String(raw.v)}, expected ${FORMAT}`);
  const date = (o: Record<string, unknown>, key: string) => {
    const d = new Date(o[key] as string);
    if (Number.isNaN(d.getTime())) throw new Error(`queued call write has no valid ${key}`);
    o[key] = d;
  };
  switch (raw.kind) {
    case 'inbound':
      date(raw.call, 'startedAt');
      return { kind: 'inbound', call: raw.call as unknown as InboundCall };
    case 'status':
      date(raw.update, 'at');
      return { kind: 'status', update: raw.update as unknown as StatusUpdate };
    case 'dial':
      date(raw.outcome, 'at');
      return { kind: 'dial', outcome: raw.outcome as unknown as DialOutcome };
    case 'leg':
      date(raw.update, 'at');
      return { kind: 'leg', update: raw.update as unknown as LegStatusUpdate };
    case 'recording':
      date(raw.update, 'at');
      return { kind: 'recording', update: raw.update as unknown as RecordingUpdate };
    default:
      throw new Error(`queued call write of unknown kind ${String(raw.kind)}`);
  }
}
