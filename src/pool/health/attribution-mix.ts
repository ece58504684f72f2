import type { AttributionMethod } from '../../calls/domain/attribution';

/**
 * How a pool's calls were credited. Ambiguous calls (two visits could have seen the number) are the
 * cost of a pool that is too small or numbers that rest too briefly, so their share is shown on its own.
 */
export const ATTRIBUTION_METHODS = ['lease', 'grace', 'ambiguous', 'static', 'none', 'released-number'] as const satisfies readonly AttributionMethod[];
/** Compile-time only: fails when a method is added to AttributionMethod and not listed here. */
type Assert<T extends true> = T;
export type EveryMethodListed = Assert<[Exclude<AttributionMethod, (typeof ATTRIBUTION_METHODS)[number]>] extends [never] ? true : false>;

export interface AttributionMix {
  calls: number;
  ambiguous: number;
  /** ambiguous / calls; null without calls. */
  ambiguousShare: number | null;
  byMethod: Record<AttributionMethod, number>;
}

/** Counts by method as stored; a method this version does not know still counts among the calls. */
export function attributionMix(counts: readonly { method: string; calls: number }[]): AttributionMix {
  const byMethod = Object.fromEntries(ATTRIBUTION_METHODS.map((m) => [m, 0])) as Record<AttributionMethod, number>;
  let calls = 0;
  for (const { method, calls: n } of counts) {
    calls += n;
    if ((ATTRIBUTION_METHODS as readonly string[]).includes(method)) byMethod[method as AttributionMethod] += n;
  }
  return { calls, ambiguous: byMethod.ambiguous, ambiguousShare: calls > 0 ? byMethod.ambiguous / calls : null, byMethod };
}
