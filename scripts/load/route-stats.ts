export const ROUTES = ['new visit', 'returning visit', 'page view', 'heartbeat', 'voice webhook', 'status callback', 'dial action'] as const;
export type Route = (typeof ROUTES)[number];

/** Answers that are part of the protocol, not failures: a heartbeat for a lease that was recycled or expired. */
const EXPECTED: Partial<Record<Route, number[]>> = { heartbeat: [409] };

interface RouteRecord {
  latencies: number[];
  statuses: Map<number, number>;
  /** Connection errors and timeouts. */
  errors: number;
}

export interface RouteSummary {
  route: Route | 'all';
  requests: number;
  /** Non-2xx answers the protocol expects (heartbeat 409). */
  expected: number;
  /** Other non-2xx answers, plus connection errors and timeouts. */
  failures: number;
  statuses: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  max: number;
}

const percentile = (sorted: number[], p: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);

/**
 * Every request's latency, kept exactly (a 10-minute run is well under a million numbers), per route,
 * with a second, resettable window for the progress lines.
 */
export class RouteStats {
  private readonly routes = new Map<Route, RouteRecord>(ROUTES.map((r) => [r, { latencies: [], statuses: new Map(), errors: 0 }]));
  private window: number[] = [];
  private windowFailures = 0;

  answered(route: Route, status: number, ms: number): void {
    const r = this.record(route);
    r.latencies.push(ms);
    r.statuses.set(status, (r.statuses.get(status) ?? 0) + 1);
    this.window.push(ms);
    if (!isExpected(route, status)) this.windowFailures += 1;
  }

  failed(route: Route): void {
    this.record(route).errors += 1;
    this.windowFailures += 1;
  }

  /** Requests, failures and latency percentiles since the previous call. */
  takeWindow(): { requests: number; failures: number; p50: number; p99: number } {
    const sorted = this.window.sort((a, b) => a - b);
    const out = { requests: sorted.length, failures: this.windowFailures, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
    this.window = [];
    this.windowFailures = 0;
    return out;
  }

  summary(seconds: number): RouteSummary[] {
    return ROUTES.map((route) => {
      const r = this.record(route);
      const sorted = [...r.latencies].sort((a, b) => a - b);
      let expected = 0;
      let failures = r.errors;
      for (const [status, n] of r.statuses) {
        if (isExpected(route, status)) expected += n;
        else if (status < 200 || status >= 300) failures += n;
      }
      const statuses = [...r.statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`);
      if (r.errors) statuses.push(`errors: ${r.errors}`);
      return {
        route,
        requests: sorted.length + r.errors,
        expected,
        failures,
        statuses: statuses.join(', '),
        reqPerSec: (sorted.length + r.errors) / seconds,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        max: sorted.length ? sorted[sorted.length - 1] : NaN,
      };
    });
  }

  /** All routes together. */
  total(seconds: number): RouteSummary {
    const all = ROUTES.flatMap((route) => this.record(route).latencies).sort((a, b) => a - b);
    const rows = this.summary(seconds);
    const sum = (f: (r: RouteSummary) => number) => rows.reduce((a, r) => a + f(r), 0);
    return {
      route: 'all',
      requests: sum((r) => r.requests),
      expected: sum((r) => r.expected),
      failures: sum((r) => r.failures),
      statuses: '',
      reqPerSec: sum((r) => r.requests) / seconds,
      p50: percentile(all, 50),
      p99: percentile(all, 99),
      max: all.length ? all[all.length - 1] : NaN,
    };
  }

  private record(route: Route): RouteRecord {
    const r = this.routes.get(route);
    if (!r) throw new Error(`unknown route ${route}`);
    return r;
  }
}

function isExpected(route: Route, status: number): boolean {
  return (status >= 200 && status < 300) || (EXPECTED[route]?.includes(status) ?? false);
}
