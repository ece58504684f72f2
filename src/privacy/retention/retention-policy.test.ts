import { DEFAULT_RETENTION, effectiveRetention, monthsBefore, retentionCutoffs } from './retention-policy';

const at = (iso: string) => Date.parse(iso);

describe('retention policy', () => {
  describe('effectiveRetention', () => {
    it('when the site sets nothing, then the client settings apply', () => {
      expect(effectiveRetention({ activityRetentionDays: 90, callRetentionMonths: 24 }, { activityRetentionDays: null, callRetentionMonths: null })).toEqual({
        activityRetentionDays: 90,
        callRetentionMonths: 24,
      });
    });

    it('when the site overrides one setting, then that one beats the client and the other is inherited', () => {
      expect(effectiveRetention({ activityRetentionDays: 90, callRetentionMonths: 24 }, { activityRetentionDays: 7, callRetentionMonths: null })).toEqual({
        activityRetentionDays: 7,
        callRetentionMonths: 24,
      });
    });

    it('when nothing was configured, then the defaults are 30 days of activity and 13 months of calls', () => {
      expect(DEFAULT_RETENTION).toEqual({ activityRetentionDays: 30, callRetentionMonths: 13 });
    });
  });

  describe('retentionCutoffs', () => {
    it('when computed, then activity goes back whole days and calls calendar months, at the same time of day', () => {
      expect(retentionCutoffs(at('2026-11-30T10:00:00.123Z'), DEFAULT_RETENTION)).toEqual({
        activity: at('2026-10-31T10:00:00.123Z'),
        calls: at('2025-10-30T10:00:00.123Z'),
      });
    });

    it('when a day count crosses a daylight-saving change, then it is still exact 24-hour days (UTC)', () => {
      expect(retentionCutoffs(at('2026-04-05T00:30:00Z'), { activityRetentionDays: 10, callRetentionMonths: 1 }).activity).toBe(at('2026-03-26T00:30:00Z'));
    });
  });

  describe('monthsBefore', () => {
    it.each([
      ['2026-03-31T12:00:00Z', 1, '2026-02-28T12:00:00Z'],
      ['2028-03-31T12:00:00Z', 1, '2028-02-29T12:00:00Z'],
      ['2026-01-15T00:00:00Z', 1, '2025-12-15T00:00:00Z'],
      ['2026-01-31T23:59:59.999Z', 13, '2024-12-31T23:59:59.999Z'],
      ['2026-12-31T00:00:00Z', 10, '2026-02-28T00:00:00Z'],
      ['2026-05-20T08:00:00Z', 120, '2016-05-20T08:00:00Z'],
    ])('when it is %s, then %i month(s) earlier is %s', (now, months, expected) => {
      expect(new Date(monthsBefore(at(now), months)).toISOString()).toBe(new Date(at(expected)).toISOString());
    });
  });
});
