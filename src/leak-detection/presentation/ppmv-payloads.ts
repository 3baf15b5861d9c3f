import { finite, parseEach, timestamp } from '../../shared/ingestion/payload-fields.js';
import type { PpmvReading } from '../application/ppmv-samples.js';

/** `plant/sensors/{name}/ppmv` (PROTOCOLS.md section A): `{"ts", "ppmv"}`, or an array of them. */
export function parsePpmv(payload: Buffer, receivedAt: Date): PpmvReading[] {
  return parseEach(payload, (o, i) => ({ ts: timestamp(o.ts, i, receivedAt), ppmv: finite(o.ppmv, i, 'ppmv') }));
}
