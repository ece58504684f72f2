/**
 * Erlang B: how often a visit finds every number of a pool taken, and how many numbers keep that rare.
 * A pool is a loss system: a visit that finds no number free is not queued, it is shown the overflow
 * number (or, under 'recycle', takes someone else's). With Poisson arrivals the blocking probability
 * depends only on the offered traffic (arrival rate x mean holding time), whatever the distribution
 * of holding times, which is why it sizes a pool well.
 */

/**
 * The probability that an arrival finds all `servers` busy when `trafficErlangs` is offered, by the
 * numerically stable recursion B(0) = 1, B(n) = A·B(n-1) / (n + A·B(n-1)) (no factorials, no overflow).
 */
export function erlangB(servers: number, trafficErlangs: number): number {
  assertTraffic(trafficErlangs);
  if (!Number.isInteger(servers) || servers < 0) throw new RangeError(`servers must be a non-negative integer, got ${servers}`);
  let blocking = 1;
  for (let n = 1; n <= servers; n++) blocking = nextBlocking(blocking, n, trafficErlangs);
  return blocking;
}

/** The smallest pool that blocks at most `targetBlocking` of the visits offered `trafficErlangs`. */
export function recommendedPoolSize(trafficErlangs: number, targetBlocking = 0.01): number {
  assertTraffic(trafficErlangs);
  if (!(targetBlocking > 0 && targetBlocking < 1)) throw new RangeError(`targetBlocking must be between 0 and 1, got ${targetBlocking}`);
  if (trafficErlangs === 0) return 0;
  let blocking = 1;
  let n = 0;
  while (blocking > targetBlocking) {
    n += 1;
    blocking = nextBlocking(blocking, n, trafficErlangs);
  }
  return n;
}

/**
 * How long one visit keeps a number out of circulation: the visit itself (until its last heartbeat),
 * the lease that outlives that heartbeat, then the cool-down before the number is handed out again.
 */
export function meanNumberHoldingMs(times: { meanVisitMs: number; leaseMs: number; cooldownMs: number }): number {
  return times.meanVisitMs + times.leaseMs + times.cooldownMs;
}

/** Offered traffic in Erlangs: arrivals per hour times the mean holding time in hours. */
export function offeredTrafficErlangs(visitsPerHour: number, meanHoldingMs: number): number {
  if (!(visitsPerHour >= 0) || !(meanHoldingMs >= 0)) throw new RangeError('visitsPerHour and meanHoldingMs must be non-negative');
  return (visitsPerHour * meanHoldingMs) / 3_600_000;
}

function nextBlocking(previous: number, n: number, a: number): number {
  return (a * previous) / (n + a * previous);
}

function assertTraffic(a: number): void {
  if (!(a >= 0) || !Number.isFinite(a)) throw new RangeError(`traffic must be a finite non-negative number of Erlangs, got ${a}`);
}
