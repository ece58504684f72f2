import autocannon from 'autocannon';
import type { Scenario } from './scenarios';

export interface LoadResult {
  reqPerSec: number;
  p50: number;
  p99: number;
  requests: number;
  /** Responses outside 2xx; with errors (connection errors, timeouts included) either fails a scenario. */
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
}

let current: autocannon.Instance | undefined;

/** Drives one scenario for a bounded time (or a bounded count) and summarises the run. */
export function runLoad(s: Scenario, o: { connections: number; durationSeconds?: number; amount?: number }): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    current = autocannon(
      {
        url: s.baseUrl,
        connections: o.connections,
        duration: o.durationSeconds,
        amount: o.amount,
        timeout: 10,
        requests: [s.request],
      },
      (err, r) => {
        current = undefined;
        if (err) return reject(err);
        const statusCodes = Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, v]) => [code, v?.count ?? 0]));
        resolve({
          reqPerSec: r.requests.total / r.duration,
          p50: r.latency.p50,
          p99: r.latency.p99,
          requests: r.requests.total,
          non2xx: r.non2xx,
          errors: r.errors,
          statusCodes,
        });
      },
    );
  });
}

/** Ends a running load at once (Ctrl-C): autocannon then reports what it has, and no more requests leave. */
export function stopLoad(): void {
  current?.stop();
}
