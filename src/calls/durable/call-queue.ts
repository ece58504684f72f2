import type { CallWrite } from './call-write';

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
