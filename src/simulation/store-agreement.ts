import type { SimulationResult } from './simulate-site';

/**
 * Where two runs of the same settings disagree, as "path: a vs b" lines; empty when identical. The
 * in-process and Redis stores share one contract, so a seeded run must score identically on both.
 */
export function differences(a: SimulationResult, b: SimulationResult): string[] {
  const found: string[] = [];
  walk(a, b, '', found);
  return found;
}

function walk(a: unknown, b: unknown, path: string, found: string[]): void {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of [...keys].sort()) walk((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], path ? `${path}.${key}` : key, found);
  } else if (a !== b) {
    found.push(`${path}: ${String(a)} vs ${String(b)}`);
  }
}
