import autocannon from 'autocannon';
import type { Scenario } from './scenarios';
import type { CpuSnapshot } from './cpu';

export interface LoadResult {
  reqPerSec: number;
  p50: number;
  p99: number;
  /** Responses received in time. */
  requests: number;
  /** Requests sent, including those still in flight when the time was up (the server handles them all the same). */
  sent: number;
  /** Responses outside 2xx; with errors (connection errors, timeouts included) either fails a scenario. */
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
  /** CPU microseconds per request in each process, including the background work the run left behind. */
  cpuUs?: CpuSnapshot;
}

let current: autocannon.Instance | undefined;
let stopped = false;

/** Drives one scenario for a bounded time (or a bounded count) and summarises the run. */
export function runLoad(s: Scenario, o: { connections: number; durationSeconds?: number; amount?: number }): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    if (stopped) return reject(new Error('interrupted'));
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
          sent: r.requests.sent,
          non2xx: r.non2xx,
          errors: r.errors,
          statusCodes,
        });
      },
    );
  });
}

/** Ends the running load at once (Ctrl-C), and refuses to start another. */
export function stopLoad(): void {
  stopped = true;
  current?.stop();
}
