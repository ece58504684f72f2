import { toCsv } from '../shared/csv';
import type { SweepReport } from './sweep';

/** Every run of a sweep with its raw counts, one line each, for a spreadsheet or a plotting tool. */
export function sweepCsv(report: SweepReport): string {
  const header = [
    'variant', 'pool_size', 'recommended_size', 'erlang_b_at_peak', 'visits', 'blocked_visits', 'displaced_leases',
    'calls_correct', 'calls_wrong_visit', 'calls_unattributed',
    'during_correct', 'during_wrong_visit', 'during_unattributed',
    'within_window_correct', 'within_window_wrong_visit', 'within_window_unattributed',
    'after_window_correct', 'after_window_wrong_visit', 'after_window_unattributed',
    'repeat_correct', 'repeat_wrong_visit', 'repeat_unattributed',
    'strangers_unattributed', 'strangers_credited',
  ];
  const lines = report.rows.map(({ variant, poolSize, erlangBAtPeak, result: r }) => {
    const w = r.byWindow;
    return [
      variant, poolSize, report.recommended, erlangBAtPeak.toPrecision(6), r.visits, r.blockedVisits, r.displacedLeases,
      r.visitCalls.correct, r.visitCalls.wrongVisit, r.visitCalls.unattributed,
      w.duringVisit.correct, w.duringVisit.wrongVisit, w.duringVisit.unattributed,
      w.withinWindow.correct, w.withinWindow.wrongVisit, w.withinWindow.unattributed,
      w.afterWindow.correct, w.afterWindow.wrongVisit, w.afterWindow.unattributed,
      r.repeatCalls.correct, r.repeatCalls.wrongVisit, r.repeatCalls.unattributed,
      r.offlineCalls.unattributed, r.offlineCalls.wrongVisit,
    ];
  });
  return toCsv(header, lines);
}
