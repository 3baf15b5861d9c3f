import { AXIS_NAMES } from '../../machines/domain/machine.js';
import { MalformedMessageError } from '../../shared/mqtt/inbound-message.js';
import type { AxesReading, AxisReading, ElectricalReading, ToolReading } from '../application/telemetry-readings.js';

/**
 * The payload DTOs of PROTOCOLS.md section A, validated by hand rather than with
 * class-validator (STYLE.md's default for DTOs) because this is the hot path. Measured with
 * bench/telemetry-payload-validation.ts (2 cores, batches of 100): class-transformer +
 * class-validator cost 3.7 µs per electrical sample and 12 µs per axis sample — 40 % to
 * more than a whole core at the 100k samples/s target, before any storing — against
 * 0.05–0.2 µs here on top of JSON.parse. The rules are those a DTO would state: `ts` an
 * ISO-8601 time with a zone or epoch milliseconds (missing → the receive time), numbers
 * finite JSON numbers, unknown fields ignored; the first offending field is named
 * (`[3].axes.X.velocity`) in a MalformedMessageError('invalid_field'). A payload is one
 * object or an array of them (a batch), accepted or refused as a whole.
 */
type Json = Record<string, unknown>;

/** Before 2000 is a device clock that was never set (or epoch seconds sent as milliseconds). */
const EARLIEST_TS = Date.UTC(2000, 0, 1);
/** Ahead of the receive time by more than this is a wrong clock: such a sample would pin "latest" for a day. */
const MAX_AHEAD_MS = 24 * 3_600_000;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;
const MAX_INT = 2_147_483_647;

export function parseElectrical(payload: Buffer, receivedAt: Date): ElectricalReading[] {
  return parseEach(payload, (o, i) => ({
    ts: timestamp(o.ts, i, receivedAt),
    current: finite(o.current, i, 'current'),
    voltage: finite(o.voltage, i, 'voltage'),
  }));
}

export function parseAxes(payload: Buffer, receivedAt: Date): AxesReading[] {
  return parseEach(payload, (o, i) => {
    const ts = timestamp(o.ts, i, receivedAt);
    const raw = o.axes;
    if (!isObject(raw)) return invalid(i, 'axes', 'must be an object keyed by axis (X, Y, Z, A, C)');
    const axes: Array<[(typeof AXIS_NAMES)[number], AxisReading]> = [];
    for (const name of AXIS_NAMES) {
      const axis = raw[name];
      if (axis !== undefined && axis !== null) axes.push([name, axisReading(axis, i, name)]);
    }
    if (!axes.length) return invalid(i, 'axes', 'must hold at least one of X, Y, Z, A, C');
    return { ts, axes };
  });
}

export function parseTool(payload: Buffer, receivedAt: Date): ToolReading[] {
  return parseEach(payload, (o, i) => {
    const reading = {
      ts: timestamp(o.ts, i, receivedAt),
      toolInUse: optional(o.toolInUse, i, 'toolInUse', toolNumber),
      toolOffset: optional(o.toolOffset, i, 'toolOffset', finite),
      feedRate: optional(o.feedrate, i, 'feedrate', finite),
    };
    if (reading.toolInUse === null && reading.toolOffset === null && reading.feedRate === null)
      return invalid(i, 'toolInUse', 'at least one of toolInUse, toolOffset, feedrate is required');
    return reading;
  });
}

function parseEach<T>(payload: Buffer, read: (o: Json, index: number) => T): T[] {
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

function axisReading(value: unknown, i: number, name: string): AxisReading {
  if (!isObject(value)) return invalid(i, `axes.${name}`, 'must be an object');
  const homed = value.homed;
  if (typeof homed !== 'boolean') return invalid(i, `axes.${name}.homed`, 'must be true or false');
  return {
    actual: finite(value.actual, i, `axes.${name}.actual`),
    target: finite(value.target, i, `axes.${name}.target`),
    velocity: finite(value.velocity, i, `axes.${name}.velocity`),
    acceleration: finite(value.acceleration, i, `axes.${name}.acceleration`),
    homed,
  };
}

function timestamp(value: unknown, i: number, receivedAt: Date): Date {
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

/** Date.parse rolls 2026-02-30 over into March instead of refusing it. */
function isCalendarDate(iso: string): boolean {
  const year = Number(iso.slice(0, 4));
  const month = Number(iso.slice(5, 7));
  const day = Number(iso.slice(8, 10));
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function finite(value: unknown, i: number, field: string): number {
  // JSON.parse turns 1e999 into Infinity.
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return invalid(i, field, 'must be a finite number');
}

function toolNumber(value: unknown, i: number, field: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_INT) return value;
  return invalid(i, field, 'must be a whole number, 0 or more');
}

/** Absent and null both mean "not sent". */
function optional<T>(
  value: unknown,
  i: number,
  field: string,
  check: (value: unknown, i: number, field: string) => T,
): T | null {
  return value === undefined || value === null ? null : check(value, i, field);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(i: number, field: string, problem: string): never {
  throw new MalformedMessageError('invalid_field', `${i < 0 ? '' : `[${i}].`}${field}: ${problem}`);
}
