import { answerDueAt } from './subject';

const due = (receivedAt: string) => answerDueAt(new Date(receivedAt)).toISOString();

describe('answerDueAt: one calendar month after receipt (GDPR art. 12(3))', () => {
  it.each([
    ['a mid-month request', '2026-11-15T10:00:00.000Z', '2026-12-15T10:00:00.000Z'],
    ['the last day of November', '2026-11-30T10:00:00.000Z', '2026-12-30T10:00:00.000Z'],
    ['31 December (into the next year)', '2026-12-31T08:30:00.000Z', '2027-01-31T08:30:00.000Z'],
    ['31 January of a common year', '2027-01-31T10:00:00.000Z', '2027-02-28T10:00:00.000Z'],
    ['31 January of a leap year', '2028-01-31T10:00:00.000Z', '2028-02-29T10:00:00.000Z'],
    ['29 January of a common year', '2027-01-29T10:00:00.000Z', '2027-02-28T10:00:00.000Z'],
    ['28 February', '2027-02-28T10:00:00.000Z', '2027-03-28T10:00:00.000Z'],
    ['31 March (April has 30 days)', '2026-03-31T10:00:00.000Z', '2026-04-30T10:00:00.000Z'],
    ['the last millisecond of a UTC day', '2026-01-15T23:59:59.999Z', '2026-02-15T23:59:59.999Z'],
  ])('when %s is received, then it is due one month later on the same day or the month\'s last day', (_label, receivedAt, expected) => {
    expect(due(receivedAt)).toBe(expected);
  });

  it('when the due date is computed, then the received date is left unchanged', () => {
    const receivedAt = new Date('2027-01-31T10:00:00.000Z');

    answerDueAt(receivedAt);

    expect(receivedAt.toISOString()).toBe('2027-01-31T10:00:00.000Z');
  });
});
