import type { LoadResult } from './load';
import type { ScenarioKey } from './scenarios';
import type { LeaseMemory } from './redis-memory';

/** The targets for a 2-core machine at 50 connections. */
const TARGETS: Partial<Record<ScenarioKey, { minRatio?: number; maxP99Ms: number }>> = {
  lease: { minRatio: 0.8, maxP99Ms: 25 },
  leaseSmall: { maxP99Ms: 25 },
  heartbeat: { minRatio: 0.8, maxP99Ms: 25 },
  voice: { minRatio: 0.6, maxP99Ms: 25 },
};
const MAX_POOL_SIZE_LATENCY_RATIO = 1.2;
const MAX_BYTES_PER_LEASE = 300;

export interface ScenarioSummary {
  key: ScenarioKey;
  title: string;
  rounds: LoadResult[];
  reqPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** Median CPU microseconds per request: the server process (service or bare route), Redis, Postgres, autocannon. */
  cpuUs: { server: number; redis: number; postgres: number; loadGenerator: number };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** Medians across rounds (each round alternates all scenarios, so drift hits them alike); failures are summed. */
export function summarise(key: ScenarioKey, title: string, rounds: LoadResult[]): ScenarioSummary {
  return {
    key,
    title,
    rounds,
    reqPerSec: median(rounds.map((r) => r.reqPerSec)),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    non2xx: rounds.reduce((a, r) => a + r.non2xx, 0),
    errors: rounds.reduce((a, r) => a + r.errors, 0),
    cpuUs: {
      server: median(rounds.map((r) => (key === 'bare' ? r.cpuUs?.bare : r.cpuUs?.service) ?? NaN)),
      redis: median(rounds.map((r) => r.cpuUs?.redis ?? NaN)),
      postgres: median(rounds.map((r) => r.cpuUs?.postgres ?? NaN)),
      loadGenerator: median(rounds.map((r) => r.cpuUs?.loadGenerator ?? NaN)),
    },
  };
}

const cpuCell = (s: ScenarioSummary) =>
  s.key === 'bare'
    ? `${fixed(s.cpuUs.server, 0)} / - / - / ${fixed(s.cpuUs.loadGenerator, 0)}`
    : `${fixed(s.cpuUs.server, 0)} / ${fixed(s.cpuUs.redis, 0)} / ${fixed(s.cpuUs.postgres, 0)} / ${fixed(s.cpuUs.loadGenerator, 0)}`;

export interface Verdict {
  name: string;
  pass: boolean;
}

export const pf = (pass: boolean): string => (pass ? 'PASS' : 'FAIL');
const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

/** The markdown table docs/performance.md quotes, plus one verdict per target. */
export function resultsTable(bare: ScenarioSummary, others: ScenarioSummary[]): { table: string; verdicts: Verdict[] } {
  const lines = [
    row(['scenario', 'req/s', 'p50 ms', 'p99 ms', 'ratio to bare', 'non-2xx / errors', 'CPU us/req (server / Redis / PG / autocannon)', 'target', 'result']),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---', '---']),
    row([bare.title, fixed(bare.reqPerSec, 0), fixed(bare.p50), fixed(bare.p99), '1.00', `${bare.non2xx} / ${bare.errors}`, cpuCell(bare), 'reference', bare.non2xx + bare.errors ? 'FAIL' : '-']),
  ];
  const verdicts: Verdict[] = [];
  for (const s of others) {
    const target = TARGETS[s.key];
    const ratio = s.reqPerSec / bare.reqPerSec;
    const clean = s.non2xx === 0 && s.errors === 0;
    const ratioOk = target?.minRatio === undefined || ratio >= target.minRatio;
    const p99Ok = target === undefined || s.p99 <= target.maxP99Ms;
    const pass = clean && ratioOk && p99Ok;
    const wanted = target ? [target.minRatio !== undefined ? `>= ${target.minRatio}x` : '', `p99 <= ${target.maxP99Ms} ms`].filter(Boolean).join(', ') : '-';
    lines.push(row([s.title, fixed(s.reqPerSec, 0), fixed(s.p50), fixed(s.p99), fixed(ratio, 2), `${s.non2xx} / ${s.errors}`, cpuCell(s), wanted, pf(pass)]));
    verdicts.push({ name: s.title, pass });
  }
  return { table: lines.join('\n'), verdicts };
}

/** Pool of 10,000 against pool of 10, both recycling: a lease must not get slower as the pool grows. */
export function poolSizeLine(big: ScenarioSummary, small: ScenarioSummary): { line: string; verdict: Verdict } {
  const p50Ratio = big.p50 / small.p50;
  const p99Ratio = big.p99 / small.p99;
  const pass = p50Ratio <= MAX_POOL_SIZE_LATENCY_RATIO;
  return {
    line: `lease latency, pool of 10,000 vs pool of 10: p50 ${fixed(big.p50)} / ${fixed(small.p50)} ms = ${fixed(p50Ratio, 2)}x (p99 ${fixed(p99Ratio, 2)}x, req/s ${fixed(big.reqPerSec / small.reqPerSec, 2)}x); target p50 <= ${MAX_POOL_SIZE_LATENCY_RATIO}x: ${pf(pass)}`,
    verdict: { name: 'lease latency independent of pool size', pass },
  };
}

export function memoryLines(m: LeaseMemory): { lines: string[]; verdict: Verdict } {
  const pass = m.drained && m.bytesPerLease <= MAX_BYTES_PER_LEASE;
  const perKey = Object.entries(m.perKey)
    .filter(([, v]) => Math.abs(v) >= 0.5)
    .map(([k, v]) => `${k} ${fixed(v, 0)}`)
    .join(', ');
  return {
    lines: [
      `Redis memory per live lease (${m.leases} new leases into a fresh pool, MEMORY USAGE of the pool's keys once the events reached Postgres): ${fixed(m.bytesPerLease, 0)} bytes; target <= ${MAX_BYTES_PER_LEASE}: ${pf(pass)}${m.drained ? '' : ' (event stream never drained)'}`,
      `  plus ${fixed(m.bytesPerNumberOnce, 0)} bytes once per number at its first lease ever (its fencing-token counter, kept for good)`,
      `  per key and lease: ${perKey}`,
      `  INFO used_memory growth per lease (allocator overhead included; noisy on a shared server): ${fixed(m.usedMemoryPerLease, 0)} bytes`,
    ],
    verdict: { name: 'Redis memory per live lease', pass },
  };
}

/** Every round of every scenario, so a reader can judge the spread behind the medians. */
export function roundsTable(summaries: ScenarioSummary[]): string {
  const lines = [
    row(['scenario', 'round', 'req/s', 'p50 ms', 'p99 ms', 'requests', 'status codes', 'errors', 'CPU us/req (server / Redis / PG / autocannon)']),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---', '---:', '---:']),
  ];
  for (const s of summaries) {
    s.rounds.forEach((r, i) => {
      const codes = Object.entries(r.statusCodes).map(([c, n]) => `${c}: ${n}`).join(', ');
      const c = r.cpuUs;
      const cpu = c ? [s.key === 'bare' ? c.bare : c.service, c.redis, c.postgres, c.loadGenerator].map((v) => fixed(v, 0)).join(' / ') : 'n/a';
      lines.push(row([s.title, i + 1, fixed(r.reqPerSec, 0), fixed(r.p50), fixed(r.p99), r.requests, codes, r.errors, cpu]));
    });
  }
  return lines.join('\n');
}
