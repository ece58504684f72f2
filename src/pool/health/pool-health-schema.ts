import { z } from 'zod';
import type { poolHealthView } from './pool-health-routes';

/** What GET /v1/pools/{poolId}/health answers (docs/pool-health.md explains each figure). */

const instant = z.iso.datetime();
const count = z.number().int();
const share = z.number().nullable();

export const PoolHealth = z
  .object({
    poolId: z.uuid(),
    from: instant,
    to: instant,
    live: z
      .object({ total: count, leased: count, available: count, coolingDown: count, utilisation: share })
      .nullable()
      .meta({ description: 'Now, from the pool store; null when the pool store did not answer (the rest comes from Postgres).' }),
    utilisation: z
      .array(z.object({ at: instant, total: count, leased: count, utilisation: share }))
      .meta({ description: 'Minute samples in the window; at most about 300 points, each the busiest sample of the ones it stands for.' }),
    exhaustion: z.object({
      total: count.meta({ description: 'Requests for a number that found none free in the window.' }),
      events: z.array(z.object({ at: instant, count })),
    }),
    attribution: z
      .object({
        calls: count,
        ambiguous: count,
        ambiguousShare: share,
        byMethod: z.object({ lease: count, grace: count, ambiguous: count, static: count, none: count, 'released-number': count }),
      })
      .meta({ description: 'Calls to the pool that started in the window, by how they were credited; restricted calls are left out.' }),
    sizing: z
      .object({
        arrivalsPerHour: z.number().nullable(),
        peakArrivalsPerHour: z.number().nullable(),
        peakHourStart: instant.nullable(),
        meanHoldingSeconds: z.number().nullable(),
        holdingBasis: z.enum(['ended-leases', 'pool-settings']).nullable(),
        offeredErlangs: z.number().nullable(),
        currentSize: count.nullable(),
        blockingProbability: share,
        targetBlocking: z.number(),
        recommendedSize: count.nullable(),
        advice: z.string(),
      })
      .meta({ description: 'Erlang B sizing for the busiest hour of the window; the measured fields are null when nobody asked for a number.' }),
  })
  .meta({ id: 'PoolHealth' });

type SameShape<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
/** Compile-time only: tsc fails here when the view and the schema documenting it part ways. */
export type ViewMatchesSchema = Assert<SameShape<z.output<typeof PoolHealth>, ReturnType<typeof poolHealthView>>>;
