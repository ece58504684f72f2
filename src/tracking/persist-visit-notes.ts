import type { NoteSink } from '../pool/lease-history-writer';
import { getLogger } from '../shared/logging/logger';
import { decodeVisitNote, type VisitSnapshot } from './visit-note';
import type { VisitStore } from './visit-store';

const log = getLogger('visits');

/** Writes the visits carried by lease requests; an unreadable note is logged and skipped, not retried forever. */
export function persistVisitNotes(visits: VisitStore): NoteSink {
  return async (notes) => {
    const snapshots = notes.map((n) => decodeVisitNote(n.note)).filter((v): v is VisitSnapshot => v !== null);
    if (snapshots.length < notes.length) log.warn('unreadable visit notes skipped', { count: notes.length - snapshots.length });
    await visits.upsertMany(snapshots);
  };
}
