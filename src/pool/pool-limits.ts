/**
 * How many ended holders each number remembers for call attribution. A number rests for
 * cooldownMs after each lease, so within any realistic grace window only the last one or two
 * holders matter; the cap bounds memory if a pool is configured with a tiny cool-down.
 */
export const RECENT_HOLDERS_KEPT = 8;
