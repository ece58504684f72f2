import type { TopLevelSpec } from 'vega-lite/build/index';
import { POLICY_VARIANTS } from './policy-variants';
import { figuresOf } from './result-figures';
import type { SweepReport } from './sweep';

type Metric = 'correct' | 'wrongVisit' | 'unattributed' | 'blocked';

const PANELS: { metric: Metric; title: string; zero: boolean }[] = [
  { metric: 'correct', title: 'Calls credited to the visit that made them', zero: false },
  { metric: 'wrongVisit', title: 'Calls credited to another visit', zero: true },
  { metric: 'unattributed', title: 'Calls credited to no visit', zero: true },
  { metric: 'blocked', title: 'Visits that found no number free (blocking)', zero: true },
];
const ERLANG_B_SERIES = 'Erlang B at the peak rate';
/** One colour per policy, the default the strongest; Erlang B's prediction grey and dashed. */
const COLOURS: Record<string, string> = {
  [POLICY_VARIANTS.default.label]: '#1f4e9c',
  [POLICY_VARIANTS['no-cooldown'].label]: '#e8890c',
  [POLICY_VARIANTS['random-choice'].label]: '#2ca02c',
  [POLICY_VARIANTS['random-no-cooldown'].label]: '#d62728',
  [POLICY_VARIANTS.recycle.label]: '#9467bd',
  [ERLANG_B_SERIES]: '#888888',
};

/**
 * The sweep as a Vega-Lite chart: one panel per figure, pool size across, one line per policy, and the
 * size the Erlang B advisor recommends marked in every panel.
 */
export function sweepChartSpec(report: SweepReport, title: string): TopLevelSpec {
  const values: { policy: string; poolSize: number; metric: Metric; value: number }[] = [];
  for (const row of report.rows) {
    const f = figuresOf(row.result);
    const policy = POLICY_VARIANTS[row.variant].label;
    values.push(
      { policy, poolSize: row.poolSize, metric: 'correct', value: f.all.correct },
      { policy, poolSize: row.poolSize, metric: 'wrongVisit', value: f.all.wrongVisit },
      { policy, poolSize: row.poolSize, metric: 'unattributed', value: f.all.unattributed },
      { policy, poolSize: row.poolSize, metric: 'blocked', value: f.blocked },
    );
    if (row.variant === 'default') values.push({ policy: ERLANG_B_SERIES, poolSize: row.poolSize, metric: 'blocked', value: row.erlangBAtPeak });
  }
  const present = Object.keys(COLOURS).filter((label) => values.some((v) => v.policy === label));
  const advisor = [{ poolSize: report.recommended, label: `advisor: ${report.recommended}` }];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title, anchor: 'start', fontSize: 15, offset: 16 },
    data: { values },
    columns: 2,
    concat: PANELS.map((panel) => ({
      title: panel.title,
      width: 380,
      height: 220,
      layer: [
        {
          transform: [{ filter: { field: 'metric', equal: panel.metric } }],
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'poolSize', type: 'quantitative', title: 'numbers in the pool', scale: { zero: false } },
            y: { field: 'value', type: 'quantitative', title: null, axis: { format: '.0%' }, scale: { zero: panel.zero } },
            color: {
              field: 'policy',
              type: 'nominal',
              title: null,
              scale: { domain: present, range: present.map((label) => COLOURS[label]) },
              legend: { orient: 'bottom', columns: 3, labelLimit: 0, columnPadding: 24 },
            },
            strokeDash: { condition: { test: `datum.policy === '${ERLANG_B_SERIES}'`, value: [4, 3] }, value: [1, 0] },
            // Policies that score alike overlap; the default's thicker line still shows underneath.
            strokeWidth: { condition: { test: `datum.policy === '${POLICY_VARIANTS.default.label}'`, value: 4 }, value: 1.5 },
          },
        },
        { data: { values: advisor }, mark: { type: 'rule', color: '#555', strokeDash: [2, 2] }, encoding: { x: { field: 'poolSize', type: 'quantitative' } } },
        {
          data: { values: advisor },
          mark: { type: 'text', align: 'left', baseline: 'top', dx: 4, dy: 4, color: '#555', fontSize: 10 },
          encoding: { x: { field: 'poolSize', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
        },
      ],
    })),
  };
}

/** Renders a Vega-Lite spec to SVG text, headless (no canvas needed). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  // One after the other: they share modules, and jest's ESM loader trips over two concurrent loads of one.
  const vega = await importEsm<typeof import('vega')>('vega');
  const vegaLite = await importEsm<typeof import('vega-lite/build/index')>('vega-lite');
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * A real dynamic import. vega and vega-lite are ES modules with top-level await, which require()
 * cannot load, and TypeScript compiling to CommonJS would turn a plain import() into require().
 */
const nativeImport = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;
function importEsm<T>(specifier: string): Promise<T> {
  return nativeImport(specifier) as Promise<T>;
}
