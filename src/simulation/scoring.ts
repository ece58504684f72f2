import type { Attribution } from '../calls/domain/attribution';

/**
 * How the simulator scores a call against the truth it knows:
 * - `correct`: the service credited the visit that really made the call;
 * - `wrong-visit`: it credited another visit (the worst outcome: a report silently lies);
 * - `unattributed`: it credited no visit: nobody held the number recently (method `none`), or the
 *   caller dialled the overflow number, which identifies no visit (method `static`).
 * A call from someone who never visited can only be `unattributed` (right) or `wrong-visit`.
 */
export type CallScore = 'correct' | 'wrong-visit' | 'unattributed';

export function scoreCall(truthVisitId: string | null, attribution: Attribution): CallScore {
  if (attribution.visitId === null) return 'unattributed';
  return attribution.visitId === truthVisitId ? 'correct' : 'wrong-visit';
}

export interface ScoreCounts {
  correct: number;
  wrongVisit: number;
  unattributed: number;
}

export const emptyCounts = (): ScoreCounts => ({ correct: 0, wrongVisit: 0, unattributed: 0 });

export function countScore(counts: ScoreCounts, score: CallScore): void {
  if (score === 'correct') counts.correct += 1;
  else if (score === 'wrong-visit') counts.wrongVisit += 1;
  else counts.unattributed += 1;
}

export function totalOf(c: ScoreCounts): number {
  return c.correct + c.wrongVisit + c.unattributed;
}

/** Shares of the total (all 0 when there is nothing to share). */
export function sharesOf(c: ScoreCounts): ScoreCounts {
  const total = totalOf(c);
  if (total === 0) return emptyCounts();
  return { correct: c.correct / total, wrongVisit: c.wrongVisit / total, unattributed: c.unattributed / total };
}

export function addCounts(a: ScoreCounts, b: ScoreCounts): ScoreCounts {
  return { correct: a.correct + b.correct, wrongVisit: a.wrongVisit + b.wrongVisit, unattributed: a.unattributed + b.unattributed };
}
