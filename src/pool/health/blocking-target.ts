import { z } from 'zod';

/**
 * A blocking target: the share of visits allowed to find every number of a pool taken (0.01 = 1 %).
 * 0 and 1 are refused: no finite pool blocks nobody, and a pool that may block everyone needs no number.
 */
export const POOL_BLOCKING_TARGET = z.number().gt(0).lt(1).meta({ description: 'Share of visits allowed to find every number taken (Erlang B blocking), e.g. 0.01 for 1 %.' });

/** 0.01 -> '1%', 0.005 -> '0.5%', 0.0125 -> '1.25%': as an operator would write it. */
export function formatPercent(share: number): string {
  return `${Number((share * 100).toPrecision(3))}%`;
}
