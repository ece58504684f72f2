import type Redis from 'ioredis';
import type { Cluster } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, RLWrapperTimeouts, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { getLogger } from '../shared/logging/logger';

const log = getLogger('rate-limits');

/** How long a counter waits for Redis before counting in this instance's memory instead. */
const REDIS_BUDGET_MS = 250;
const WARN_EVERY_MS = 60_000;

export type Taken = { allowed: true } | { allowed: false; retryAfterMs: number };

/** Counts events per key in fixed windows; the first `points` of a window are allowed. */
export interface WindowCounter {
  take(key: string): Promise<Taken>;
}

export interface CounterStore {
  /** Shared by every instance; absent = single-instance mode, counted in memory. */
  redis?: Redis | Cluster;
  /** config.redisKeyPrefix */
  keyPrefix: string;
  /** Called when a count could not be made in Redis (throttled by the caller). */
  onRedisFailure: (reason: unknown) => void;
}

/**
 * Stands in for Redis when it fails or is slow: the count goes on in this instance's memory, so the
 * request is served (tracking must not stop because the limiter's store did) and a flood is still
 * limited, per instance.
 */
class MemoryInsurance extends RateLimiterMemory {
  constructor(
    opts: { points: number; duration: number; keyPrefix: string },
    private readonly onUse: (reason: unknown) => void,
  ) {
    super(opts);
  }

  consume(key: string | number, points?: number, options?: { [key: string]: unknown }): Promise<RateLimiterRes> {
    this.onUse('Redis failed or did not answer in time');
    return super.consume(key, points, options);
  }
}

/**
 * A rate-limiter-flexible counter: in Redis (RateLimiterRedis; one key per counted key, so Redis
 * Cluster places each on its own slot), or in memory. Keys are `<prefix>ratelimit:<name>:<key>`.
 */
export function windowCounter(name: string, points: number, durationSeconds: number, store: CounterStore): WindowCounter {
  const keyPrefix = `${store.keyPrefix}ratelimit:${name}`;
  const options = { points, duration: durationSeconds, keyPrefix };
  let limiter: RateLimiterAbstract | RLWrapperTimeouts;
  if (store.redis) {
    const insuranceLimiter = new MemoryInsurance(options, store.onRedisFailure);
    const redisLimiter = new RateLimiterRedis({
      ...options,
      storeClient: store.redis,
      // Not connected: straight to the insurance rather than waiting in ioredis's offline queue.
      rejectIfRedisNotReady: true,
      // A key over its limit is refused from memory until its window ends: a flood costs no Redis calls.
      inMemoryBlockOnConsumed: points + 1,
      insuranceLimiter,
    });
    limiter = new RLWrapperTimeouts({ limiter: redisLimiter, timeoutMs: REDIS_BUDGET_MS, insuranceLimiter });
  } else {
    limiter = new RateLimiterMemory(options);
  }
  return {
    async take(key) {
      try {
        await limiter.consume(key);
        return { allowed: true };
      } catch (outcome) {
        if (outcome instanceof RateLimiterRes) return { allowed: false, retryAfterMs: outcome.msBeforeNext };
        // Neither Redis nor the insurance counted it: let the request through.
        store.onRedisFailure(outcome);
        return { allowed: true };
      }
    },
  };
}

/** Logs a warning about the limiter's Redis at most once a minute, however many requests fail over. */
export function throttledRedisWarning(now: () => number = Date.now): (reason: unknown) => void {
  let lastAt = Number.NEGATIVE_INFINITY;
  let since = 0;
  return (reason) => {
    since += 1;
    if (now() - lastAt < WARN_EVERY_MS) return;
    log.warn('rate limiter: Redis unavailable, counting in this instance only (requests are still served)', {
      error: reason instanceof Error ? reason.message : String(reason),
      failoversSinceLastWarning: since,
    });
    lastAt = now();
    since = 0;
  };
}
