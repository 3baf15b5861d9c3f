import { InvalidInputError } from '../../shared/errors/domain-errors.js';

/**
 * Sea currents at a template, the plume model's driver (reference C.4: `environment/currents.csv`,
 * rows of `u,v` in m/s, u towards east and v towards north, one row per 10-minute reading).
 *
 * The CSV this context imports is the reference's, with an optional time column:
 *   - a header naming the columns, case-insensitive, in any order: `u` and `v` (required) and
 *     `timestamp` (or `time`, `ts`; optional); other columns (a pandas index) are ignored;
 *   - with a time column every row carries its time: ISO-8601, with a zone or `Z`, or without
 *     one (`2021-04-05 14:00:00`), which is read as UTC; or epoch milliseconds. Times must
 *     increase from row to row;
 *   - without one (the reference's files) the rows are spaced `intervalSeconds` apart (600 by
 *     default) from `startsAt`.
 * Rows are numbered as a spreadsheet shows them: the header is row 1. Blank lines are skipped.
 * A file is taken whole or not at all: every bad row is reported (up to MAX_REPORTED_PROBLEMS).
 */
export interface SeaCurrentRow {
  at: Date;
  /** m/s towards east. */
  u: number;
  /** m/s towards north. */
  v: number;
}

export interface SeaCurrentsCsvOptions {
  /** The first row's time when the file has no time column. */
  startsAt?: Date | null;
  /** Seconds between rows when the file has no time column; 600 when omitted. */
  intervalSeconds?: number | null;
}

export const DEFAULT_CURRENT_INTERVAL_SECONDS = 600;
/** A year of 10-minute rows, with room. */
export const MAX_CURRENT_ROWS = 100_000;
/** Faster than any tidal or storm current at a subsea template: a unit mistake (cm/s, knots). */
export const MAX_CURRENT_COMPONENT = 10;
export const MAX_REPORTED_PROBLEMS = 20;

const TIME_COLUMNS = ['timestamp', 'time', 'ts'];
const NAIVE_ISO = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$/;
const ZONED_ISO = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/i;

/** Parses and checks a whole file; throws one InvalidInputError naming every bad row. */
export function parseSeaCurrentsCsv(csv: string, options: SeaCurrentsCsvOptions = {}): SeaCurrentRow[] {
  const lines = csv.split(/\r?\n/);
  const headerIndex = lines.findIndex((line) => line.trim() !== '');
  if (headerIndex < 0)
    throw new InvalidInputError('The currents file is empty', { csv: 'holds no header and no rows' });
  const columns = splitRow(lines[headerIndex]).map((c) => c.toLowerCase());
  const u = columns.indexOf('u');
  const v = columns.indexOf('v');
  const time = columns.findIndex((c) => TIME_COLUMNS.includes(c));
  if (u < 0 || v < 0) {
    throw new InvalidInputError('The currents file needs a header with columns u and v', {
      csv: `row ${headerIndex + 1}: the header must name the columns u and v (it has ${columns.join(', ') || 'none'})`,
    });
  }
  const spacing = time < 0 ? regularSpacing(options) : null;
  const problems: string[] = [];
  const rows: SeaCurrentRow[] = [];
  let previous = -Infinity;
  for (let index = headerIndex + 1; index < lines.length; index++) {
    if (lines[index].trim() === '') continue;
    const rowNumber = index + 1;
    if (rows.length + problems.length >= MAX_CURRENT_ROWS) {
      throw new InvalidInputError(`The currents file holds more than ${MAX_CURRENT_ROWS} rows`, {
        csv: `at most ${MAX_CURRENT_ROWS} rows per file; split it`,
      });
    }
    const cells = splitRow(lines[index]);
    const rowProblems: string[] = [];
    if (cells.length !== columns.length) rowProblems.push(`${cells.length} cells for ${columns.length} columns`);
    const east = component(cells[u], 'u', rowProblems);
    const north = component(cells[v], 'v', rowProblems);
    const at = spacing
      ? new Date(spacing.start + rows.length * spacing.stepMs)
      : timestamp(cells[time], columns[time], rowProblems);
    if (at && !spacing) {
      if (at.getTime() <= previous) rowProblems.push(`${columns[time]}: must be later than the row before`);
      previous = Math.max(previous, at.getTime());
    }
    if (rowProblems.length) problems.push(`row ${rowNumber}: ${rowProblems.join('; ')}`);
    else rows.push({ at: at!, u: east!, v: north! });
  }
  if (problems.length) {
    const shown = problems.slice(0, MAX_REPORTED_PROBLEMS);
    const more = problems.length - shown.length;
    throw new InvalidInputError(
      `The currents file was refused: ${problems.length} bad row${problems.length === 1 ? '' : 's'}, nothing imported`,
      { csv: shown.join(' | ') + (more ? ` | and ${more} more` : '') },
    );
  }
  if (!rows.length)
    throw new InvalidInputError('The currents file holds no rows', { csv: 'holds a header but no rows' });
  return rows;
}

function regularSpacing(options: SeaCurrentsCsvOptions): { start: number; stepMs: number } {
  const interval = options.intervalSeconds ?? DEFAULT_CURRENT_INTERVAL_SECONDS;
  const fields: Record<string, string> = {};
  const start = options.startsAt?.getTime();
  if (start === undefined || !Number.isFinite(start))
    fields.startsAt = 'is required when the file has no timestamp column';
  if (!Number.isInteger(interval) || interval < 1 || interval > 86_400)
    fields.intervalSeconds = 'must be an integer from 1 to 86400';
  if (Object.keys(fields).length) throw new InvalidInputError('The currents file needs a time for its rows', fields);
  return { start: start!, stepMs: interval * 1000 };
}

function component(cell: string | undefined, name: string, problems: string[]): number | undefined {
  const value = cell === undefined || cell === '' ? NaN : Number(cell);
  if (!Number.isFinite(value)) {
    problems.push(`${name}: ${cell === undefined || cell === '' ? 'is missing' : `"${cell}" is not a number`}`);
    return undefined;
  }
  if (Math.abs(value) > MAX_CURRENT_COMPONENT) {
    problems.push(`${name}: ${value} m/s is beyond ±${MAX_CURRENT_COMPONENT} m/s`);
    return undefined;
  }
  return value;
}

function timestamp(cell: string | undefined, name: string, problems: string[]): Date | undefined {
  let ms = NaN;
  if (cell && /^\d{1,15}$/.test(cell)) ms = Number(cell);
  else if (cell && ZONED_ISO.test(cell)) ms = Date.parse(cell.replace(' ', 'T'));
  else if (cell && NAIVE_ISO.test(cell)) ms = Date.parse(`${cell.replace(' ', 'T')}Z`);
  if (!Number.isFinite(ms)) {
    problems.push(`${name}: ${cell ? `"${cell}" is not an ISO-8601 time or epoch milliseconds` : 'is missing'}`);
    return undefined;
  }
  return new Date(ms);
}

/** Cells of one line, trimmed, surrounding double quotes removed (no embedded commas in numbers or times). */
function splitRow(line: string): string[] {
  return line.split(',').map((cell) =>
    cell
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .trim(),
  );
}
