import type { VisitSource } from './domain/classify-source';

/**
 * What a visit registration records, carried as the note of its lease request so the visit reaches
 * Postgres through the pool's event log (batched, off the request path, never lost once acknowledged).
 */
export interface VisitSnapshot {
  id: string;
  siteId: string;
  visitorId: string;
  title: string | null;
  source: VisitSource;
  /** Epoch ms of this registration. */
  at: number;
}

export const encodeVisitNote = (v: VisitSnapshot): string => JSON.stringify({ v: 1, ...v });

export function decodeVisitNote(note: string): VisitSnapshot | null {
  try {
    const parsed = JSON.parse(note) as VisitSnapshot & { v?: number };
    if (parsed.v !== 1 || typeof parsed.id !== 'string' || typeof parsed.siteId !== 'string' || !parsed.source) return null;
    return { id: parsed.id, siteId: parsed.siteId, visitorId: parsed.visitorId, title: parsed.title ?? null, source: parsed.source, at: Number(parsed.at) };
  } catch {
    return null;
  }
}
