import { stringify } from 'csv-stringify/sync';

/**
 * A cell a spreadsheet would run as a formula (=, +, -, @, or a leading tab/carriage return) is
 * prefixed with an apostrophe: exported data must never execute in the client's spreadsheet.
 */
export function spreadsheetSafe(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** RFC 4180 CSV (csv-stringify) of a header and rows, every cell made spreadsheet-safe. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return stringify([header.map(spreadsheetSafe), ...rows.map((r) => r.map(spreadsheetSafe))]);
}
