import { Counter, Gauge, type Registry } from 'prom-client';
import { withTimeout } from '../shared/with-timeout';
import type { PoolStatsReader, PoolStatsRow } from './pool-stats-reader';

/** Read at scrape time, bounded: a queue that does not answer in time is left out of that scrape. */
const QUEUE_SIZE_BUDGET_MS = 1000;

export interface QueueDepthSource {
  readonly name: string;
  size(): Promise<number>;
}

/** What one scrape read from a source; null when nothing is watched. */
type Read<T> = { ok: true; value: T } | { ok: false } | null;

/**
 * prom-client asks every metric's `collect` in the same tick, so the gauges of one scrape that need the
 * same read share it; the next scrape reads again.
 */
function oncePerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | undefined;
  return () => (current ??= read().finally(() => (current = undefined)));
}

async function attempt<T>(read: () => Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, value: await read() };
  } catch {
    return { ok: false };
  }
}

/**
 * Gauges read when Prometheus scrapes: the pools' numbers by state, utilisation and exhaustion, and
 * the durable call queue's depth. A source that fails or runs out of time leaves its gauges out of
 * that scrape (never stale values) and sets ct_metrics_source_up to 0.
 */
export class ScrapeGauges {
  private pools?: PoolStatsReader;
  private queue?: QueueDepthSource;
  private readonly poolStats = oncePerScrape(async (): Promise<Read<PoolStatsRow[]>> => {
    const pools = this.pools;
    return pools ? attempt(() => pools.read()) : null;
  });
  private readonly queueDepth = oncePerScrape(async (): Promise<Read<number>> => {
    const queue = this.queue;
    return queue ? attempt(() => withTimeout(queue.size(), QUEUE_SIZE_BUDGET_MS, 'call queue size')) : null;
  });

  constructor(registry: Registry) {
    const rows = async () => {
      const read = await this.poolStats();
      return read?.ok ? read.value : [];
    };
    const numbers = new Gauge({
      name: 'ct_pool_numbers',
      help: 'Numbers in each pool by state (leased, available, cooling_down).',
      labelNames: ['pool_id', 'state'] as const,
      registers: [registry],
      collect: async () => {
        const all = await rows();
        numbers.reset();
        for (const { poolId, stats } of all) {
          numbers.set({ pool_id: poolId, state: 'leased' }, stats.leased);
          numbers.set({ pool_id: poolId, state: 'available' }, stats.available);
          numbers.set({ pool_id: poolId, state: 'cooling_down' }, stats.coolingDown);
        }
      },
    });
    const utilisation = new Gauge({
      name: 'ct_pool_utilisation_ratio',
      help: "Share of each pool's numbers leased now (0-1).",
      labelNames: ['pool_id'] as const,
      registers: [registry],
      collect: async () => {
        const all = await rows();
        utilisation.reset();
        for (const { poolId, stats } of all) utilisation.set({ pool_id: poolId }, stats.total ? stats.leased / stats.total : 0);
      },
    });
    const exhausted = new Counter({
      name: 'ct_pool_exhausted_total',
      help: 'Lease requests each pool could not serve with a free number, as its pool store counts them.',
      labelNames: ['pool_id'] as const,
      registers: [registry],
      collect: async () => {
        const all = await rows();
        exhausted.reset();
        for (const { poolId, stats } of all) exhausted.inc({ pool_id: poolId }, stats.exhaustedCount);
      },
    });
    const depth = new Gauge({
      name: 'ct_call_queue_depth',
      help: 'Call writes waiting in the durable queue for Postgres (dead letters not counted).',
      labelNames: ['queue'] as const,
      registers: [registry],
      collect: async () => {
        const read = await this.queueDepth();
        depth.reset();
        if (read?.ok && this.queue) depth.set({ queue: this.queue.name }, read.value);
      },
    });
    const up = new Gauge({
      name: 'ct_metrics_source_up',
      help: '1 when this scrape read the source (pools, call_queue) in time; 0 when it failed or timed out.',
      labelNames: ['source'] as const,
      registers: [registry],
      collect: async () => {
        const [pools, queue] = await Promise.all([this.poolStats(), this.queueDepth()]);
        up.reset();
        if (pools) up.set({ source: 'pools' }, pools.ok ? 1 : 0);
        if (queue) up.set({ source: 'call_queue' }, queue.ok ? 1 : 0);
      },
    });
  }

  watchPools(reader: PoolStatsReader): void {
    this.pools = reader;
  }

  watchCallQueue(queue: QueueDepthSource): void {
    this.queue = queue;
  }
}
