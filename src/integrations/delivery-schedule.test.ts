import { decideAfterAttempt, giveUpAt, MAX_RETRY_DELAY_MS, MIN_RETRY_DELAY_MS, retryCeilingMs, retryDelayMs, RETRY_WINDOW_MS } from './delivery-schedule';

const CREATED = new Date('2026-11-30T10:00:00Z');
const MIN = 60_000;
const fail = { kind: 'response', statusCode: 500 } as const;
/** The largest value Math.random can return: the top of the jitter range. */
const top = () => 0.999999;

describe('delivery schedule', () => {
  it('when attempts keep failing, then the longest wait doubles from 30 s and stops growing at 1 h', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 40].map(retryCeilingMs)).toEqual([30_000, MIN, 2 * MIN, 4 * MIN, 8 * MIN, 16 * MIN, 32 * MIN, MAX_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS, MAX_RETRY_DELAY_MS]);
  });

  it('when the wait is drawn, then it lies anywhere between a second and the ceiling (full jitter)', () => {
    expect(retryDelayMs(3, () => 0)).toBe(MIN_RETRY_DELAY_MS);
    expect(retryDelayMs(3, () => 0.5)).toBe(MIN);
    expect(retryDelayMs(3, top)).toBeLessThanOrEqual(2 * MIN);
    expect(retryDelayMs(3, top)).toBeGreaterThan(2 * MIN - 10);
    for (let i = 0; i < 200; i += 1) {
      const d = retryDelayMs(5);
      expect(d).toBeGreaterThanOrEqual(MIN_RETRY_DELAY_MS);
      expect(d).toBeLessThanOrEqual(8 * MIN);
    }
  });

  it('when the receiver answers 2xx, then the delivery is delivered', () => {
    for (const statusCode of [200, 201, 204, 299]) {
      expect(decideAfterAttempt({ kind: 'response', statusCode }, { attempt: 1, giveUpAt: giveUpAt(CREATED), now: CREATED })).toEqual({ status: 'delivered' });
    }
  });

  it('when the receiver answers 3xx, 4xx or 5xx, or does not answer, then it is retried after the drawn wait', () => {
    const now = new Date(CREATED.getTime() + 5 * MIN);
    for (const result of [{ kind: 'response', statusCode: 301 }, { kind: 'response', statusCode: 400 }, { kind: 'response', statusCode: 429 }, fail, { kind: 'error', message: 'no answer within 10 s' }] as const) {
      const decision = decideAfterAttempt(result, { attempt: 2, giveUpAt: giveUpAt(CREATED), now, random: () => 0.5 });
      expect(decision).toMatchObject({ status: 'pending', nextAttemptAt: new Date(now.getTime() + 30_000) });
    }
  });

  it('when the receiver answers 410 Gone, then the delivery fails at once and is not retried', () => {
    expect(decideAfterAttempt({ kind: 'response', statusCode: 410 }, { attempt: 1, giveUpAt: giveUpAt(CREATED), now: CREATED })).toMatchObject({ status: 'failed', error: expect.stringContaining('410') });
  });

  it('when a fake clock runs through a day of failures, then the attempts follow the schedule, the last one is made at the 24 h mark, and then the delivery fails', () => {
    // Arrange
    const deadline = giveUpAt(CREATED);
    let now = CREATED;
    const waits: number[] = [];

    // Act: every attempt fails; the next is made exactly when it is due.
    let decision = decideAfterAttempt(fail, { attempt: 1, giveUpAt: deadline, now, random: top });
    let attempt = 1;
    while (decision.status === 'pending') {
      waits.push(decision.nextAttemptAt.getTime() - now.getTime());
      now = decision.nextAttemptAt;
      attempt += 1;
      decision = decideAfterAttempt(fail, { attempt, giveUpAt: deadline, now, random: top });
    }

    // Assert
    expect(decision).toMatchObject({ status: 'failed', error: expect.stringContaining('24 h') });
    expect(now).toEqual(deadline);
    expect(now.getTime() - CREATED.getTime()).toBe(RETRY_WINDOW_MS);
    expect(waits.slice(0, 8).map((w) => Math.round(w / 1000))).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600]);
    // About 2 h over the first 8 waits, then 21 hourly ones, then one last shorter wait up to the mark: 31 attempts.
    expect(attempt).toBe(31);
    expect(waits.every((w) => w <= MAX_RETRY_DELAY_MS)).toBe(true);
  });

  it('when a retry is asked for by hand, then the window starts again from then', () => {
    const later = new Date(CREATED.getTime() + 2 * RETRY_WINDOW_MS);
    expect(giveUpAt(later).getTime() - later.getTime()).toBe(RETRY_WINDOW_MS);
    expect(decideAfterAttempt(fail, { attempt: 40, giveUpAt: giveUpAt(later), now: later, random: () => 0 })).toMatchObject({ status: 'pending' });
  });
});
