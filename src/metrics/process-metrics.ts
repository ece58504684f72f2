import { collectDefaultMetrics, Registry } from 'prom-client';

let shared: Registry | undefined;

/**
 * prom-client's process metrics (CPU, memory, event loop lag, GC, handles), prefixed ct_. They describe
 * the process, not an app, so they are collected once per process and every Metrics registry exposes
 * the same collectors: each collector set starts an event-loop monitor and a GC observer of its own,
 * which a process building many apps (the tests) should not multiply.
 */
export function processMetrics(): Registry {
  if (!shared) {
    shared = new Registry();
    collectDefaultMetrics({ register: shared, prefix: 'ct_' });
  }
  return shared;
}
