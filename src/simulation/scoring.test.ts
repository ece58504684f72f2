import { attributeCall } from '../calls/domain/attribution';
import { addCounts, countScore, emptyCounts, scoreCall, sharesOf } from './scoring';

const live = (visitId: string) => ({ live: { numberId: 'n1', visitId, token: 1, startedAt: 0, renewedAt: 0, expiresAt: 10 }, recent: [] });

describe('scoring', () => {
  it('when the service credits the true visit, then the call is correct', () => {
    expect(scoreCall('v1', attributeCall(live('v1')))).toBe('correct');
  });

  it('when it credits another visit, then the call went to the wrong visit', () => {
    expect(scoreCall('v1', attributeCall(live('v2')))).toBe('wrong-visit');
  });

  it('when nobody held the number, or the overflow number was dialled, then the call is unattributed', () => {
    expect(scoreCall('v1', attributeCall({ live: null, recent: [] }))).toBe('unattributed');
    expect(scoreCall('v1', attributeCall(null))).toBe('unattributed');
  });

  it('when a stranger calls, then crediting any visit is wrong and crediting none is right', () => {
    expect(scoreCall(null, attributeCall(live('v2')))).toBe('wrong-visit');
    expect(scoreCall(null, attributeCall({ live: null, recent: [] }))).toBe('unattributed');
  });

  it('when counts are added and shared, then the shares sum to one', () => {
    const counts = emptyCounts();
    countScore(counts, 'correct');
    countScore(counts, 'correct');
    countScore(counts, 'wrong-visit');
    countScore(counts, 'unattributed');
    expect(sharesOf(addCounts(counts, counts))).toEqual({ correct: 0.5, wrongVisit: 0.25, unattributed: 0.25 });
    expect(sharesOf(emptyCounts())).toEqual(emptyCounts());
  });
});
