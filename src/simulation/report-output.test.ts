import { renderSvg, sweepChartSpec } from './chart';
import { sweepCsv } from './csv';
import { runLeaseSweep } from './lease-sweep';
import { reportMarkdown } from './simulation-report';
import { DEFAULT_POLICY, DEFAULT_TRAFFIC } from './simulation-settings';
import { runSweep, sizesAround, type SweepReport } from './sweep';
import { markdown } from './table';

// A tiny site, so the whole sweep runs in well under a second.
const TRAFFIC = { ...DEFAULT_TRAFFIC, peakVisitsPerHour: 40 };
let report: SweepReport;

beforeAll(async () => {
  report = await runSweep({ seed: 1, days: 0.5, traffic: TRAFFIC, policy: DEFAULT_POLICY, variants: ['default', 'recycle'] });
});

describe('sweep', () => {
  it('when no sizes are given, then it tries sizes around the advisor, each variant at each size', () => {
    const sizes = sizesAround(report.recommended);
    expect(sizes).toContain(report.recommended);
    expect(report.rows).toHaveLength(2 * sizes.length);
    expect(report.rows.map((r) => r.poolSize)).toEqual([...sizes, ...sizes]);
  });

  it('when sizes would repeat after rounding, then each is tried once', () => {
    expect(sizesAround(2)).toEqual([1, 2]);
  });

  it('when a size is larger, then Erlang B predicts less blocking', () => {
    const defaults = report.rows.filter((r) => r.variant === 'default');
    for (let i = 1; i < defaults.length; i++) expect(defaults[i].erlangBAtPeak).toBeLessThan(defaults[i - 1].erlangBAtPeak);
  });
});

describe('report outputs', () => {
  it('when written as Markdown, then the tables mark the advisor size and the lease rows appear', async () => {
    const leaseRows = await runLeaseSweep({ seed: 1, days: 0.25, traffic: TRAFFIC, policy: DEFAULT_POLICY, leaseMinutes: [10, 30] });
    const md = reportMarkdown({ seed: 1, days: 0.5, traffic: TRAFFIC, policy: DEFAULT_POLICY, sweep: report, leaseRows, chartFile: 'chart.svg' });
    expect(md).toContain(`| ${report.recommended} (advisor)`);
    expect(md).toContain('![chart](chart.svg)');
    expect(md).toContain('| 10 min');
    expect(md).toContain('Erlang B advisor');
  });

  it('when written as CSV, then there is a header and one line per run with the raw counts', () => {
    const lines = sweepCsv(report).trim().split('\n');
    expect(lines).toHaveLength(report.rows.length + 1);
    const header = lines[0].split(',');
    const first = Object.fromEntries(lines[1].split(',').map((v, i) => [header[i], v]));
    expect(first.variant).toBe('default');
    expect(Number(first.visits)).toBe(report.rows[0].result.visits);
    expect(Number(first.calls_correct)).toBe(report.rows[0].result.visitCalls.correct);
  });

  it('when charted, then the SVG has a panel per figure and the advisor marked', async () => {
    const svg = await renderSvg(sweepChartSpec(report, 'a small site'));
    expect(svg.startsWith('<svg')).toBe(true);
    for (const text of ['a small site', 'Calls credited to the visit that made them', 'Visits that found no number free', `advisor: ${report.recommended}`, 'recycle when exhausted']) {
      expect(svg).toContain(text);
    }
  });

  it('when a Markdown table is drawn, then its columns line up', () => {
    expect(markdown(['a', 'bb'], [['ccc', 'd']])).toBe('| a   | bb |\n| --- | -- |\n| ccc | d  |');
  });
});
