import type { Check } from './checks';
import type { RouteSummary } from './route-stats';

const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
export const pf = (pass: boolean): string => (pass ? 'PASS' : 'FAIL');

/** The markdown table docs/performance.md quotes: one row per route, then all routes together. */
export function routeTable(rows: RouteSummary[], total: RouteSummary): string {
  const lines = [
    row(['route', 'requests', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'failed', 'answers']),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---']),
  ];
  for (const r of [...rows, total]) {
    const name = r.route === 'all' ? '**all routes**' : r.route;
    lines.push(row([name, r.requests, fixed(r.reqPerSec, 0), fixed(r.p50), fixed(r.p99), fixed(r.max, 0), r.failures, r.statuses || '-']));
  }
  return lines.join('\n');
}

export function checkTable(checks: Check[]): string {
  return [row(['check', 'result', 'detail']), row(['---', '---', '---']), ...checks.map((c) => row([c.name, pf(c.pass), c.detail.replace(/\|/g, '\\|')]))].join('\n');
}

export const mib = (n: number): string => fixed(n, 0);
export const cores = (n: number): string => fixed(n, 2);
