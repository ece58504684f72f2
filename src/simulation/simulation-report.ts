import { figuresOf, percent } from './result-figures';
import type { LeaseRow } from './lease-sweep';
import type { PoolPolicy, TrafficSettings } from './simulation-settings';
import type { SweepReport } from './sweep';
import { breakdownTable, leaseTable, sweepTable } from './table';

const MINUTE_MS = 60_000;

export interface ReportInput {
  seed: number;
  days: number;
  traffic: TrafficSettings;
  policy: PoolPolicy;
  sweep: SweepReport;
  leaseRows: readonly LeaseRow[];
  /** The file name of the chart, linked from the Markdown. */
  chartFile: string;
}

export function chartTitle(r: Pick<ReportInput, 'seed' | 'days' | 'traffic'>): string {
  return `Attribution accuracy by pool size: ${r.traffic.peakVisitsPerHour.toLocaleString('en-US')} visits/hour at peak, ${r.days} day(s), seed ${r.seed}`;
}

/** The advisor's arithmetic, in words, so a reader can check it. */
export function advisorLine(sweep: SweepReport, policy: PoolPolicy, peakVisitsPerHour: number): string {
  const holding = sweep.holdingMs / MINUTE_MS;
  return (
    `Erlang B advisor: a number is held ${holding.toFixed(1)} min per visit (mean visit + ${policy.leaseMs / MINUTE_MS} min lease + ` +
    `${policy.cooldownMs / MINUTE_MS} min cool-down), so ${peakVisitsPerHour} visits/hour offer ${sweep.erlangs.toFixed(0)} Erlangs at peak: ` +
    `${sweep.recommended} numbers block at most ${percent(sweep.targetBlocking)} of visits.`
  );
}

/** The whole run as a Markdown document: settings, advisor, the tables. */
export function reportMarkdown(r: ReportInput): string {
  const atAdvisor = r.sweep.rows.find((row) => row.variant === 'default' && row.poolSize === r.sweep.recommended) ?? r.sweep.rows[0];
  const f = atAdvisor ? figuresOf(atAdvisor.result) : undefined;
  const p = r.policy;
  const lines = [
    `# ${chartTitle(r)}`,
    '',
    `Policy: lease ${p.leaseMs / MINUTE_MS} min, grace ${p.graceMs / MINUTE_MS} min, cool-down ${p.cooldownMs / MINUTE_MS} min, '${p.exhaustionPolicy}' when exhausted.`,
    f ? `Traffic: ${f.visits.toLocaleString('en-US')} visits, ${f.calls.toLocaleString('en-US')} calls by visitors, ${f.offlineCalls} calls by strangers.` : '',
    advisorLine(r.sweep, p, r.traffic.peakVisitsPerHour),
    '',
    `![chart](${r.chartFile})`,
    '',
    '## Accuracy and blocking by pool size',
    '',
    sweepTable(r.sweep),
  ];
  if (atAdvisor) lines.push('', `## Where the calls go (${atAdvisor.variant} policy, ${atAdvisor.poolSize} numbers)`, '', breakdownTable(atAdvisor.result));
  if (r.leaseRows.length) lines.push('', '## Lease length (each at the size the advisor recommends for it)', '', leaseTable(r.leaseRows, p));
  return lines.join('\n') + '\n';
}
