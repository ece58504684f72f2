import { isBackendFailure } from '../../shared/backend-failure';
import { callSidOf, parseCallWrite, type CallWrite } from './call-write';

/** What a drain did: writes applied, writes set aside as unreadable or refused, writes still waiting. */
export interface DrainResult {
  applied: number;
  deadLettered: number;
  /** True when the drain stopped early because the database is still not answering. */
  interrupted: boolean;
}

/**
 * Call writes waiting for Postgres, oldest first. `drain` hands each to `apply` and forgets it only
 * once applied, so a crash mid-drain replays (writes are idempotent). A write `apply` rejects with a
 * backend failure stops the drain (it is retried next time); any other rejection moves it to a
 * dead-letter list an operator can inspect, so one bad entry never blocks the rest.
 */
export interface CallQueue {
  readonly name: string;
  append(w: CallWrite): Promise<void>;
  drain(apply: (w: CallWrite) => Promise<void>): Promise<DrainResult>;
  /** Writes waiting (not counting dead letters). */
  size(): Promise<number>;
}

/**
 * One queued entry's turn in a drain, the same for every queue: parse it, apply it, and on refusal
 * either stop (the database is still out: 'interrupted', the entry stays) or set it aside through
 * `deadLetter` (unreadable or refused for good). Counts go into `result`.
 */
export async function drainEntry(
  text: string,
  apply: (w: CallWrite) => Promise<void>,
  deadLetter: (err: unknown, callSid?: string) => Promise<void>,
  result: DrainResult,
): Promise<'done' | 'interrupted'> {
  let w: CallWrite;
  try {
    w = parseCallWrite(text);
  } catch (err) {
    await deadLetter(err);
    result.deadLettered += 1;
    return 'done';
  }
  try {
    await apply(w);
    result.applied += 1;
  } catch (err) {
    if (isBackendFailure(err)) {
      result.interrupted = true;
      return 'interrupted';
    }
    await deadLetter(err, callSidOf(w));
    result.deadLettered += 1;
  }
  return 'done';
}
