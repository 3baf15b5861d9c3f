import { MalformedMessageError } from '../../shared/mqtt/inbound-message.js';
import { invalid, isObject, timestamp, type Json } from '../../shared/ingestion/payload-fields.js';
import type { PvReading } from '../domain/pv-values.js';

/**
 * `plant/pv/{pv with ':' → '/'}` (PROTOCOLS.md section A): `{"ts", "value"}`, an array of
 * them, or a bare value (`42`, `"OPEN"`) taken at the receive time. A value is a finite JSON
 * number or a string; which of the two the PV takes is checked once the PV is known.
 */
export function parsePvValues(payload: Buffer, receivedAt: Date): PvReading[] {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch (error) {
    throw new MalformedMessageError('invalid_json', `not JSON: ${(error as Error).message}`);
  }
  if (typeof json === 'number' || typeof json === 'string') return [{ ts: receivedAt, value: value(json, -1) }];
  if (isObject(json)) return [read(json, -1, receivedAt)];
  if (!Array.isArray(json))
    throw new MalformedMessageError('invalid_field', 'payload: must be a value, an object or an array of objects');
  const readings = new Array<PvReading>(json.length);
  for (let i = 0; i < json.length; i++) {
    const element: unknown = json[i];
    if (!isObject(element)) throw new MalformedMessageError('invalid_field', `[${i}]: must be an object`);
    readings[i] = read(element, i, receivedAt);
  }
  return readings;
}

function read(o: Json, i: number, receivedAt: Date): PvReading {
  return { ts: timestamp(o.ts, i, receivedAt), value: value(o.value, i) };
}

function value(raw: unknown, i: number): number | string {
  // JSON.parse turns 1e999 into Infinity.
  if ((typeof raw === 'number' && Number.isFinite(raw)) || typeof raw === 'string') return raw;
  return invalid(i, 'value', 'must be a finite number or a string');
}
