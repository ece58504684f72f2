import type { NumberDetails } from './number-store';

/** A tracking number as the admin API shows it. */
export const numberView = (n: NumberDetails) => ({
  id: n.id,
  poolId: n.poolId,
  e164: n.e164,
  country: n.country,
  role: n.role,
  staticSource: n.staticSource,
  status: n.status,
  provider: n.provider,
  providerSid: n.providerSid,
  quarantinedAt: n.quarantinedAt?.toISOString() ?? null,
  releaseAfter: n.releaseAfter?.toISOString() ?? null,
  releasedAt: n.releasedAt?.toISOString() ?? null,
  // null = as the pool says; an empty override is shown as the API wrote it (false / 'none').
  overrides: {
    whisper: n.overrides.whisper === '' ? false : n.overrides.whisper,
    record: n.overrides.record,
    fallback: n.overrides.fallbackTo === '' ? 'none' : n.overrides.fallbackTo,
  },
});
