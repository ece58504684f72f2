/**
 * How long personal data is kept: set per client, overridable per site. Website activity (visits,
 * page views, IP and user agent, leases, consents) in days; call records in calendar months, after
 * which they are anonymised. Plain domain logic: the retention job asks it for cut-offs.
 */
export const DEFAULT_ACTIVITY_RETENTION_DAYS = 30;
export const DEFAULT_CALL_RETENTION_MONTHS = 13;

export const ACTIVITY_RETENTION_DAYS = { min: 1, max: 3650 } as const;
export const CALL_RETENTION_MONTHS = { min: 1, max: 120 } as const;

export interface RetentionSettings {
  activityRetentionDays: number;
  callRetentionMonths: number;
}

/** A site's own settings: null = as its client says. */
export type RetentionOverrides = { [K in keyof RetentionSettings]: number | null };

export const DEFAULT_RETENTION: RetentionSettings = {
  activityRetentionDays: DEFAULT_ACTIVITY_RETENTION_DAYS,
  callRetentionMonths: DEFAULT_CALL_RETENTION_MONTHS,
};

export function effectiveRetention(client: RetentionSettings, site: RetentionOverrides): RetentionSettings {
  return {
    activityRetentionDays: site.activityRetentionDays ?? client.activityRetentionDays,
    callRetentionMonths: site.callRetentionMonths ?? client.callRetentionMonths,
  };
}

/** Anything strictly older than a cut-off (epoch ms) is past retention. */
export interface RetentionCutoffs {
  activity: number;
  calls: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function retentionCutoffs(now: number, settings: RetentionSettings): RetentionCutoffs {
  return { activity: now - settings.activityRetentionDays * DAY_MS, calls: monthsBefore(now, settings.callRetentionMonths) };
}

/**
 * The same moment `months` calendar months earlier, in UTC. A day the target month lacks becomes its
 * last day (31 March minus one month is 28 or 29 February), so a cut-off never lands in the next month.
 */
export function monthsBefore(now: number, months: number): number {
  const d = new Date(now);
  const monthIndex = d.getUTCFullYear() * 12 + d.getUTCMonth() - months;
  const year = Math.floor(monthIndex / 12);
  const month = monthIndex - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const target = new Date(now);
  target.setUTCFullYear(year, month, Math.min(d.getUTCDate(), lastDay));
  return target.getTime();
}
