import { MalformedMessageError } from '../mqtt/inbound-message.js';

/**
 * The field checks every sample kind's payload parser is made of (PROTOCOLS.md section A),
 * written by hand rather than with class-validator because this is the hot path (see
 * telemetry/presentation/telemetry-payloads.ts for the measurements). `ts` is an ISO-8601
 * time with a zone or epoch milliseconds (missing → the receive time); numbers are finite
 * JSON numbers; unknown fields are ignored; the first offending field is named
 * (`[3].ppmv`) in a MalformedMessageError('invalid_field'). A payload is one object or an
 * array of them (a batch), accepted or refused as a whole.
 */
export type Json = Record<string, unknown>;

/** Before 2000 is a device clock that was never set (or epoch seconds sent as milliseconds). */
const EARLIEST_TS = Date.UTC(2000, 0, 1);
/** Ahead of the receive time by more than this is a wrong clock: such a sample would pin "latest" for a day. */
const MAX_AHEAD_MS = 24 * 3_600_000;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

export function parseEach<T>(payload: Buffer, read: (o: Json, index: number) => T): T[] {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch (error) {
    throw new MalformedMessageError('invalid_json', `not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(json)) {
    if (!isObject(json)) throw new MalformedMessageError('invalid_field', 'payload: must be an object or an array');
    return [read(json, -1)];
  }
  const readings = new Array<T>(json.length);
  for (let i = 0; i < json.length; i++) {
    const element: unknown = json[i];
    if (!isObject(element)) throw new MalformedMessageError('invalid_field', `[${i}]: must be an object`);
    readings[i] = read(element, i);
  }
  return readings;
}

export function timestamp(value: unknown, i: number, receivedAt: Date): Date {
  if (value === undefined || value === null) return receivedAt;
  let ms: number;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string' && ISO_8601.test(value)) ms = isCalendarDate(value) ? Date.parse(value) : NaN;
  else return invalid(i, 'ts', 'must be an ISO-8601 time with a zone (2026-11-21T08:30:00.000Z) or epoch milliseconds');
  if (!Number.isFinite(ms)) return invalid(i, 'ts', 'is not a valid time');
  if (ms < EARLIEST_TS) return invalid(i, 'ts', 'is before 2000');
  if (ms > receivedAt.getTime() + MAX_AHEAD_MS) return invalid(i, 'ts', 'is more than 24 h ahead of the receive time');
  return new Date(ms);
}

function isCalendarDate(iso: string): boolean {
  const year = Number(iso.slice(0, 4));
  const month = Number(iso.slice(5, 7));
  const day = Number(iso.slice(8, 10));
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function finite(value: unknown, i: number, field: string): number {
  // JSON.parse turns 1e999 into Infinity.
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return invalid(i, field, 'must be a finite number');
}

export function optional<T>(
  value: unknown,
  i: number,
  field: string,
  check: (value: unknown, i: number, field: string) => T,
): T | null {
  return value === undefined || value === null ? null : check(value, i, field);
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function invalid(i: number, field: string, problem: string): never {
  throw new MalformedMessageError('invalid_field', `${i < 0 ? '' : `[${i}].`}${field}: ${problem}`);
}
