import { AXIS_NAMES } from '../../machines/domain/machine.js';
import { finite, invalid, isObject, optional, parseEach, timestamp } from '../../shared/ingestion/payload-fields.js';
import type { AxesReading, AxisReading, ElectricalReading, ToolReading } from '../application/telemetry-readings.js';

const MAX_INT = 2_147_483_647;

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

/** Date.parse rolls 2026-02-30 over into March instead of refusing it. */

function toolNumber(value: unknown, i: number, field: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_INT) return value;
  return invalid(i, field, 'must be a whole number, 0 or more');
}

/** Absent and null both mean "not sent". */
