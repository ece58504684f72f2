import { addCounts, sharesOf, totalOf, type ScoreCounts } from './scoring';
import type { SimulationResult } from './simulate-site';

/** The figures a report shows for one run, derived from its raw counts. */
export interface RunFigures {
  visits: number;
  calls: number;
  blocked: number;
  /** Blocking in the hour of the day with the most visits (where Erlang B's peak applies). */
  blockedBusiestHour: number;
  all: ScoreCounts;
  /** Calls during the visit or within lease + grace of its last heartbeat: the ones a pool can credit. */
  withinWindow: ScoreCounts;
  offlineWronglyCredited: number;
  offlineCalls: number;
}

export function figuresOf(r: SimulationResult): RunFigures {
  const busiest = r.visitsByHour.indexOf(Math.max(...r.visitsByHour));
  return {
    visits: r.visits,
    calls: totalOf(r.visitCalls),
    blocked: r.visits ? r.blockedVisits / r.visits : 0,
    blockedBusiestHour: r.visitsByHour[busiest] ? r.blockedByHour[busiest] / r.visitsByHour[busiest] : 0,
    all: sharesOf(r.visitCalls),
    withinWindow: sharesOf(addCounts(r.byWindow.duringVisit, r.byWindow.withinWindow)),
    offlineWronglyCredited: totalOf(r.offlineCalls) ? r.offlineCalls.wrongVisit / totalOf(r.offlineCalls) : 0,
    offlineCalls: totalOf(r.offlineCalls),
  };
}

/** A share as a percentage, with a second decimal below 1 % where the first would hide it. */
export function percent(share: number): string {
  const p = share * 100;
  if (p === 0) return '0%';
  return `${p < 1 ? p.toFixed(2) : p.toFixed(1)}%`;
}
