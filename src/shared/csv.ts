import { stringify } from 'csv-stringify/sync';

/**
 * A cell a spreadsheet would run as a formula (=, +, -, @, or a leading tab/carriage return, also after
 * leading spaces, which some spreadsheets trim, and in their full-width forms) is prefixed with an
 * apostrophe (OWASP's advice on CSV injection): exported data must never execute in the client's spreadsheet.
 */
const FORMULA_START = /^[\t\r]|^[ \u00a0\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]/;

export function spreadsheetSafe(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** RFC 4180 CSV (csv-stringify) of a header and rows, every cell made spreadsheet-safe. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return stringify([header.map(spreadsheetSafe), ...rows.map((r) => r.map(spreadsheetSafe))]);
}
