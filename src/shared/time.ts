/**
 * Instants Postgres stores and reads back through both drivers: years 0001 to 9999 in UTC.
 * JavaScript and ISO 8601 also allow year 0 and six-digit years, which the database (or PGlite's
 * serializer) rejects; such input is refused or ignored up front instead of failing as a 500 or 503.
 */
export function isStorableInstant(ms: number): boolean {
  if (!Number.isFinite(ms)) return false;
  const year = new Date(ms).getUTCFullYear();
  return year >= 1 && year <= 9999;
}
