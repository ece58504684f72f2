import { readdirSync, readFileSync } from 'node:fs';
import type Redis from 'ioredis';

/**
 * CPU seconds spent by the processes a request crosses, read before and after a run. Throughput on
 * a shared 2-core machine depends on whatever else runs; CPU time per request mostly does not, and
 * it says which process the time goes to. Linux only (/proc); elsewhere the figures are NaN.
 */
export interface CpuSnapshot {
  service: number;
  bare: number;
  redis: number;
  /** The Postgres backends serving the bench database (not the server's background writers). */
  postgres: number;
  /** This process: autocannon building requests and reading responses. */
  loadGenerator: number;
}

interface RawSnapshot extends Omit<CpuSnapshot, 'postgres'> {
  /** pid -> CPU seconds of each backend connected to the bench database. */
  backends: Map<string, number>;
}

/** USER_HZ: the unit of utime/stime in /proc/<pid>/stat, 100 on every mainstream Linux. */
const TICKS_PER_SECOND = 100;

export function processCpu(pid: number | string | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces; the fields after its closing parenthesis do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** Backends name their database in their process title: "postgres: [cluster: ]user dbname host(port) state". */
export function postgresBackends(database: string): Map<string, number> {
  const backends = new Map<string, number>();
  try {
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (title.startsWith('postgres: ') && title.includes(` ${database} `)) backends.set(pid, processCpu(pid));
      } catch {
        // The process ended between listing and reading.
      }
    }
  } catch {
    // No /proc: figures stay empty.
  }
  return backends;
}

export async function redisCpu(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const read = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return read('used_cpu_user') + read('used_cpu_sys');
}

export async function cpuSnapshot(redis: Redis, pids: { service?: number; bare?: number }, database: string): Promise<RawSnapshot> {
  const own = process.cpuUsage();
  return {
    service: processCpu(pids.service),
    bare: processCpu(pids.bare),
    redis: await redisCpu(redis),
    backends: postgresBackends(database),
    loadGenerator: (own.user + own.system) / 1e6,
  };
}

/** Microseconds of CPU per request in each process between two snapshots. */
export function cpuPerRequest(before: RawSnapshot, after: RawSnapshot, requests: number): CpuSnapshot {
  const us = (seconds: number) => (seconds * 1e6) / requests;
  let postgres = 0;
  // A backend that exited in between is lost (the pool keeps them open under load); a new one counts in full.
  for (const [pid, cpu] of after.backends) postgres += cpu - (before.backends.get(pid) ?? 0);
  return {
    service: us(after.service - before.service),
    bare: us(after.bare - before.bare),
    redis: us(after.redis - before.redis),
    postgres: process.platform === 'linux' ? us(postgres) : NaN,
    loadGenerator: us(after.loadGenerator - before.loadGenerator),
  };
}
