/**
 * When a delivery is tried again (docs/webhooks.md, "Retries"). Pure: the sender passes the clock
 * and the randomness. Exponential backoff with full jitter: after the n-th failed attempt the next
 * one waits a random time up to min(30 s x 2^(n-1), 1 h), at least a second, so receivers that failed
 * together do not all come back at once. Tries go on until 24 h after the delivery was created; the
 * last one is made at that mark, and when it fails too the delivery is 'failed'.
 */
export const FIRST_RETRY_MS = 30_000;
export const MAX_RETRY_DELAY_MS = 60 * 60 * 1000;
export const MIN_RETRY_DELAY_MS = 1000;
export const RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** How one attempt went: an HTTP answer, or no answer at all (timeout, refused, DNS, TLS, address refused). */
export type AttemptResult = { kind: 'response'; statusCode: number } | { kind: 'error'; message: string };

export type DeliveryDecision =
  | { status: 'delivered' }
  | { status: 'pending'; nextAttemptAt: Date; error: string }
  | { status: 'failed'; error: string };

/** When a delivery created (or retried by hand) at `start` stops being retried. */
export const giveUpAt = (start: Date): Date => new Date(start.getTime() + RETRY_WINDOW_MS);

/** The longest wait after the `attempt`-th failure (1-based): the cap of its jitter. */
export function retryCeilingMs(attempt: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
}

/** A wait drawn uniformly from [MIN_RETRY_DELAY_MS, retryCeilingMs(attempt)]; `random` in [0, 1). */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = retryCeilingMs(attempt);
  return Math.max(MIN_RETRY_DELAY_MS, Math.floor(random() * ceiling));
}

/**
 * What follows an attempt. 2xx: delivered. 410 Gone: the receiver says the URL is gone for good, so
 * this delivery stops (failed) while the endpoint stays active (a proxy misconfigured for a minute
 * must not silently switch a client's webhooks off; they can set active: false). Any other answer
 * (3xx included: redirects are not followed, so nobody can bounce us to an internal address), and
 * no answer at all, is retried within the window.
 */
export function decideAfterAttempt(result: AttemptResult, d: { attempt: number; giveUpAt: Date; now: Date; random?: () => number }): DeliveryDecision {
  if (result.kind === 'response' && result.statusCode >= 200 && result.statusCode < 300) return { status: 'delivered' };
  const error = result.kind === 'response' ? `receiver answered ${result.statusCode}` : result.message;
  if (result.kind === 'response' && result.statusCode === 410) return { status: 'failed', error: `${error} (Gone): not retried` };
  const deadline = d.giveUpAt.getTime();
  if (d.now.getTime() >= deadline) return { status: 'failed', error: `${error}; gave up 24 h after the event` };
  const next = Math.min(d.now.getTime() + retryDelayMs(d.attempt, d.random), deadline);
  return { status: 'pending', nextAttemptAt: new Date(next), error };
}
