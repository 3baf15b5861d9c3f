import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { progressSpan, type ProgressListener } from '../../shared/jobs/job-progress.js';
import { implausibility } from './readings.js';

/**
 * A sensor's historical series as the original system's files hold it (`mock/tsd/{tag}.csv`,
 * written by pandas): a header `index,Time,Values` (the index column may be unnamed), then
 * one reading per line, e.g. `0,2021-04-05 14:00:00,91.56`. Times without a zone are UTC;
 * `2021-04-05T14:00:00Z` and offsets such as `+01:00` are read as written.
 */
export const READINGS_CSV_HEADER = 'index,Time,Values';

/** Why a row was refused, counted per reason in the import's result. */
export type RefusalReason =
  /** Not three fields. */
  | 'malformed'
  /** Not a time, before 2000, or more than 24 h ahead (the MQTT path's rules). */
  | 'badTime'
  /** Not a finite number. */
  | 'badValue'
  /** At or above the sentinel limit (LEAK_PPMV_LIMIT; the files hold 1e14 placeholders). */
  | 'sentinel'
  | 'negative'
  /** Older than the readings' retention (LEAK_RETENTION_DAYS): it would be dropped at once. */
  | 'olderThanRetention';

export const REFUSAL_REASONS: readonly RefusalReason[] = [
  'malformed',
  'badTime',
  'badValue',
  'sentinel',
  'negative',
  'olderThanRetention',
];

export interface ReadingsCsvRules {
  /** LEAK_PPMV_LIMIT. */
  ppmvLimit: number;
  /** Epoch milliseconds: earlier readings are refused (2000, or the retention's start if later). */
  earliestMs: number;
  /** Epoch milliseconds: later readings are refused (24 h ahead of now). */
  latestMs: number;
  /** Epoch milliseconds: readings before this are refused as olderThanRetention; -Infinity keeps all. */
  retentionStartMs: number;
}

/** The accepted readings in time order (typed arrays, to cross threads without a copy) and what was left out. */
export interface ParsedReadings {
  /** Epoch milliseconds, ascending, distinct. */
  times: Float64Array;
  ppmv: Float64Array;
  /** Data lines read (the header and blank lines not counted). */
  rows: number;
  refused: Record<RefusalReason, number>;
  /** Lines repeating an earlier line's time: the first one is kept, as the database keeps the first stored. */
  duplicatesInFile: number;
  /** The first refused line of each reason (1-based line number and why), to show a user. */
  examples: Array<{ line: number; reason: RefusalReason; problem: string }>;
}

const TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:\s*(Z|[+-]\d{2}:?\d{2}))?$/i;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses and checks a readings CSV. A wrong header refuses the whole file (BAD_USER_INPUT);
 * a bad line is counted by reason and left out, and the rest is kept. Runs in a worker
 * thread (readings-import.service.ts): `onProgress` is called in steps of 1 %.
 */
export function parseReadingsCsv(text: string, rules: ReadingsCsvRules, onProgress?: ProgressListener): ParsedReadings {
  const lines = text.split(/\r?\n/);
  const headerAt = lines.findIndex((line) => line.trim() !== '');
  const columns = headerAt >= 0 ? splitFields(lines[headerAt]).map((c) => c.toLowerCase()) : [];
  if (columns.length !== 3 || !['index', ''].includes(columns[0]) || columns[1] !== 'time' || columns[2] !== 'values')
    throw new InvalidInputError(`The CSV must start with the header ${READINGS_CSV_HEADER}`, {
      csv: `header must be ${READINGS_CSV_HEADER}, found ${JSON.stringify((lines[headerAt] ?? '').slice(0, 100))}`,
    });
  const refused = Object.fromEntries(REFUSAL_REASONS.map((r) => [r, 0])) as Record<RefusalReason, number>;
  const examples: ParsedReadings['examples'] = [];
  const refuse = (line: number, reason: RefusalReason, problem: string) => {
    if (refused[reason]++ === 0) examples.push({ line: line + 1, reason, problem });
  };
  const accepted = new Map<number, number>();
  let rows = 0;
  let duplicatesInFile = 0;
  const progress = progressSpan(onProgress, 0, 1);
  for (let i = headerAt + 1; i < lines.length; i++) {
    progress(i / lines.length);
    if (lines[i].trim() === '') continue;
    rows++;
    const fields = splitFields(lines[i]);
    if (fields.length !== 3) {
      refuse(i, 'malformed', `has ${fields.length} fields, not 3`);
      continue;
    }
    const ms = parseTime(fields[1]);
    if (Number.isNaN(ms)) {
      refuse(i, 'badTime', `${JSON.stringify(fields[1].slice(0, 40))} is not a time`);
      continue;
    }
    if (ms < rules.earliestMs || ms > rules.latestMs) {
      refuse(i, 'badTime', `${fields[1]} is before 2000 or more than 24 h ahead`);
      continue;
    }
    const ppmv = NUMBER.test(fields[2]) ? Number(fields[2]) : NaN;
    if (!Number.isFinite(ppmv)) {
      refuse(i, 'badValue', `${JSON.stringify(fields[2].slice(0, 40))} is not a finite number`);
      continue;
    }
    const problem = implausibility(ppmv, rules.ppmvLimit);
    if (problem) {
      refuse(i, ppmv < 0 ? 'negative' : 'sentinel', `${ppmv} ${problem}`);
      continue;
    }
    if (ms < rules.retentionStartMs) {
      refuse(i, 'olderThanRetention', `${fields[1]} is older than the readings' retention`);
      continue;
    }
    if (accepted.has(ms)) duplicatesInFile++;
    else accepted.set(ms, ppmv);
  }
  const times = Float64Array.from(accepted.keys()).sort();
  const ppmv = times.map((t) => accepted.get(t)!);
  progress(1);
  return { times, ppmv, rows, refused, duplicatesInFile, examples };
}

/** Comma-separated fields, each trimmed and unquoted (the files quote nothing, but a spreadsheet may). */
function splitFields(line: string): string[] {
  return line.split(',').map((field) => {
    const trimmed = field.trim();
    return trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"') ? trimmed.slice(1, -1) : trimmed;
  });
}

/** Epoch milliseconds of a calendar time (UTC unless it names a zone); NaN when it is none. */
export function parseTime(text: string): number {
  const match = TIME.exec(text);
  if (!match) return NaN;
  const [, y, mo, d, h, mi, s = '0', fraction = '', zone] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return NaN;
  if (hour > 23 || minute > 59 || second > 59) return NaN;
  const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.replace(':', '');
    const sign = digits[0] === '-' ? -1 : 1;
    const hours = Number(digits.slice(1, 3));
    const minutes = Number(digits.slice(3, 5));
    if (hours > 23 || minutes > 59) return NaN;
    offsetMinutes = sign * (hours * 60 + minutes);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
}
