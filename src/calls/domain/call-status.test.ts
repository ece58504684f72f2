import { CALL_STATUSES, isAnsweredDialStatus, isCallStatus, isFinalStatus, statusRank, type CallStatus } from './call-status';

describe('call statuses', () => {
  it('when statuses are ranked, then a call only moves forward: queued/initiated < ringing < in-progress < final', () => {
    expect(statusRank('queued')).toBe(statusRank('initiated'));
    expect(statusRank('initiated')).toBeLessThan(statusRank('ringing'));
    expect(statusRank('ringing')).toBeLessThan(statusRank('in-progress'));
    for (const final of ['completed', 'busy', 'failed', 'no-answer', 'canceled'] as const) {
      expect(statusRank('in-progress')).toBeLessThan(statusRank(final));
    }
  });

  it.each<[CallStatus, boolean]>([
    ['queued', false],
    ['initiated', false],
    ['ringing', false],
    ['in-progress', false],
    ['completed', true],
    ['busy', true],
    ['failed', true],
    ['no-answer', true],
    ['canceled', true],
  ])('when the status is %s, then isFinalStatus is %s', (status, final) => {
    expect(isFinalStatus(status)).toBe(final);
  });

  it('when every Twilio CallStatus is checked, then each is recognised', () => {
    expect(CALL_STATUSES.filter((s) => isCallStatus(s))).toEqual([...CALL_STATUSES]);
    expect(CALL_STATUSES).toHaveLength(9);
  });

  it.each(['', 'answered', 'Completed', 'in_progress', 'ringing '])('when the status is %j, then it is not a call status', (s) => {
    expect(isCallStatus(s)).toBe(false);
  });

  it.each([
    ['completed', true],
    ['answered', true],
    ['busy', false],
    ['no-answer', false],
    ['failed', false],
    ['canceled', false],
    ['', false],
  ])('when DialCallStatus is %j, then answered is %s', (dialStatus, answered) => {
    expect(isAnsweredDialStatus(dialStatus)).toBe(answered);
  });
});
