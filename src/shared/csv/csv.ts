/** CSV export shared by every context's reports. */

export interface CsvColumn<T> {
  header: string;
  value(row: T): string | number | boolean | Date | null;
}

/**
 * RFC 4180 text: a header row, then one line per row. Numbers stay numbers (no quotes, no
 * thousands separators), times are ISO-8601 UTC, null is empty, text is quoted when needed.
 */
export function toCsv<T>(columns: readonly CsvColumn<T>[], rows: readonly T[]): string {
  const lines = [
    columns.map((c) => csvField(c.header)),
    ...rows.map((row) => columns.map((c) => csvField(c.value(row)))),
  ];
  return lines.map((fields) => fields.join(',')).join('\r\n') + '\r\n';
}

function csvField(value: string | number | boolean | Date | null): string {
  if (value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return String(value);
  // A leading = + - @ would be run as a formula by spreadsheets: quote and prefix it.
  const text = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
