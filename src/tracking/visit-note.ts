import type { VisitSource } from './domain/classify-source';

/** Who made the visit: browser, network and analytics ids (absent from notes written before v2). */
export interface VisitorDetails {
  userAgent: string | null;
  browser: string | null;
  os: string | null;
  deviceType: string | null;
  /** Sealed (PersonalDataCipher) by the visit service; never logged. */
  ip: string | null;
  country: string | null;
  asn: number | null;
  isp: string | null;
  gaClientId: string | null;
  gaSessionId: string | null;
}

/**
 * What a visit registration records, carried as the note of its lease request so the visit reaches
 * Postgres through the pool's event log (batched, off the request path, never lost once acknowledged).
 */
export interface VisitSnapshot extends VisitorDetails {
  id: string;
  siteId: string;
  visitorId: string;
  title: string | null;
  source: VisitSource;
  /** Epoch ms of this registration. */
  at: number;
}

export const NO_VISITOR_DETAILS: VisitorDetails = Object.freeze({
  userAgent: null,
  browser: null,
  os: null,
  deviceType: null,
  ip: null,
  country: null,
  asn: null,
  isp: null,
  gaClientId: null,
  gaSessionId: null,
});

// v1: the visit and its source. v2 adds the visitor's details; notes of both versions may be waiting in
// the event log during a rolling upgrade, so both are read.
export const encodeVisitNote = (v: VisitSnapshot): string => JSON.stringify({ v: 2, ...v });

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export function decodeVisitNote(note: string): VisitSnapshot | null {
  try {
    const parsed = JSON.parse(note) as Partial<VisitSnapshot> & { v?: number };
    if ((parsed.v !== 1 && parsed.v !== 2) || typeof parsed.id !== 'string' || typeof parsed.siteId !== 'string' || !parsed.source) return null;
    return {
      id: parsed.id,
      siteId: parsed.siteId,
      visitorId: String(parsed.visitorId),
      title: parsed.title ?? null,
      source: parsed.source,
      at: Number(parsed.at),
      userAgent: text(parsed.userAgent),
      browser: text(parsed.browser),
      os: text(parsed.os),
      deviceType: text(parsed.deviceType),
      ip: text(parsed.ip),
      country: text(parsed.country),
      asn: Number.isSafeInteger(parsed.asn) ? (parsed.asn as number) : null,
      isp: text(parsed.isp),
      gaClientId: text(parsed.gaClientId),
      gaSessionId: text(parsed.gaSessionId),
    };
  } catch {
    return null;
  }
}
