import { POLICY_VARIANTS } from './policy-variants';
import { figuresOf, percent } from './result-figures';
import { sharesOf, totalOf, type ScoreCounts } from './scoring';
import type { LeaseRow } from './lease-sweep';
import type { SimulationResult } from './simulate-site';
import type { PoolPolicy } from './simulation-settings';
import type { SweepReport } from './sweep';

const MINUTE_MS = 60_000;

/** Accuracy and blocking for every policy and pool size, as a Markdown table. */
export function sweepTable(report: SweepReport): string {
  const header = ['policy', 'numbers', 'x advisor', 'blocked (day)', 'blocked (busiest hour)', 'Erlang B at peak', 'correct', 'wrong visit', 'unattributed', 'correct within window', 'strangers credited'];
  const rows = report.rows.map((row) => {
    const f = figuresOf(row.result);
    const marker = row.poolSize === report.recommended ? ' (advisor)' : '';
    return [
      POLICY_VARIANTS[row.variant].label,
      `${row.poolSize}${marker}`,
      (row.poolSize / report.recommended).toFixed(2),
      percent(f.blocked),
      percent(f.blockedBusiestHour),
      percent(row.erlangBAtPeak),
      percent(f.all.correct),
      percent(f.all.wrongVisit),
      percent(f.all.unattributed),
      percent(f.withinWindow.correct),
      percent(f.offlineWronglyCredited),
    ];
  });
  return markdown(header, rows);
}

/** One run's calls by when they came, to show where the errors are. */
export function breakdownTable(r: SimulationResult): string {
  const line = (what: string, c: ScoreCounts) => {
    const s = sharesOf(c);
    return [what, String(totalOf(c)), percent(s.correct), percent(s.wrongVisit), percent(s.unattributed)];
  };
  return markdown(
    ['calls', 'count', 'correct', 'wrong visit', 'unattributed'],
    [
      line('during the visit', r.byWindow.duringVisit),
      line('after leaving, within lease + grace', r.byWindow.withinWindow),
      line('after leaving, later', r.byWindow.afterWindow),
      line('all calls by visitors', r.visitCalls),
      line('of which second calls', r.repeatCalls),
      line('strangers (never visited)', r.offlineCalls),
    ],
  );
}

/** Each lease length at the size the advisor recommends for it. */
export function leaseTable(rows: readonly LeaseRow[], policy: PoolPolicy): string {
  const header = ['lease', 'grace', 'cool-down', 'numbers (advisor)', 'blocked (day)', 'correct', 'wrong visit', 'unattributed', 'correct within window'];
  return markdown(
    header,
    rows.map((row) => {
      const f = figuresOf(row.result);
      return [
        `${row.leaseMinutes} min`,
        `${policy.graceMs / MINUTE_MS} min`,
        `${policy.cooldownMs / MINUTE_MS} min`,
        String(row.poolSize),
        percent(f.blocked),
        percent(f.all.correct),
        percent(f.all.wrongVisit),
        percent(f.all.unattributed),
        percent(f.withinWindow.correct),
      ];
    }),
  );
}

export function markdown(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}
