import { readFileSync } from 'node:fs';
import type Redis from 'ioredis';
import { postgresBackends, processCpu, redisCpu } from '../bench/cpu';

/**
 * CPU seconds of every process the traffic crosses, and the instances' resident memory, read from
 * /proc (Linux only; elsewhere NaN). On a shared 2-core machine they say where the cores went, and
 * over a soak the memory series shows whether an instance grows.
 */
export interface CpuReading {
  at: number;
  instances: number[];
  redis: number;
  postgres: Map<string, number>;
  loadGenerator: number;
}

async function readCpu(redis: Redis, instancePids: (number | undefined)[], database: string): Promise<CpuReading> {
  const own = process.cpuUsage();
  return {
    at: performance.now(),
    instances: instancePids.map((pid) => processCpu(pid)),
    redis: await redisCpu(redis),
    postgres: postgresBackends(database),
    loadGenerator: (own.user + own.system) / 1e6,
  };
}

/**
 * Cores busy on average over a run, per process, from readings taken at its start, during it and at
 * its end. The Postgres backends are followed one by one: a backend the pool closes mid-run (idle
 * timeout) keeps what it used up to its last reading, one opened mid-run counts in full.
 */
export class CpuTracker {
  private first?: CpuReading;
  private last?: CpuReading;
  private readonly backends = new Map<string, { first: number; last: number }>();

  constructor(
    private readonly redis: Redis,
    private readonly instancePids: (number | undefined)[],
    private readonly database: string,
  ) {}

  async sample(): Promise<void> {
    const r = await readCpu(this.redis, this.instancePids, this.database);
    for (const [pid, cpu] of r.postgres) {
      const known = this.backends.get(pid);
      if (known) known.last = cpu;
      else this.backends.set(pid, { first: this.first ? 0 : cpu, last: cpu });
    }
    this.first ??= r;
    this.last = r;
  }

  coresUsed(): { instances: number[]; redis: number; postgres: number; loadGenerator: number } {
    const { first, last } = this;
    if (!first || !last) throw new Error('sample() before and after the run');
    const seconds = (last.at - first.at) / 1000;
    let postgres = 0;
    for (const b of this.backends.values()) postgres += b.last - b.first;
    return {
      instances: last.instances.map((cpu, i) => (cpu - first.instances[i]) / seconds),
      redis: (last.redis - first.redis) / seconds,
      postgres: postgres / seconds,
      loadGenerator: (last.loadGenerator - first.loadGenerator) / seconds,
    };
  }
}

/** Resident set size in MiB. */
export function rssMiB(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const kb = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return kb / 1024;
  } catch {
    return NaN;
  }
}
