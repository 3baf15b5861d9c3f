import type { LeftOut, SourceLookup } from '../../shared/ingestion/sample-kind.js';
import { SENSOR_NAME, type SensorRef } from '../domain/registry.js';
import { implausibility, type PpmvSample } from '../domain/readings.js';

/** A validated ppmv payload element (presentation/ppmv-payloads.ts). */
export interface PpmvReading {
  ts: Date;
  ppmv: number;
}

/** A name no sensor could have is refused without being listed: it could never be registered. */
export function lookUpSensor(sensor: SensorRef | undefined, name: string): SourceLookup<SensorRef> {
  if (sensor) return { found: sensor };
  if (!SENSOR_NAME.test(name)) return { invalid: 'the topic holds no valid sensor name' };
  return { unregistered: { kind: 'sensor', key: name } };
}

/**
 * The readings as samples of the sensor. Sentinels and implausible values are left out (and
 * counted) while the rest of the message is stored; a message of nothing else is refused.
 */
export function ppmvSamples(
  sensor: SensorRef,
  readings: readonly PpmvReading[],
  limit: number,
  leftOut: LeftOut,
): PpmvSample[] {
  const samples: PpmvSample[] = [];
  for (const { ts, ppmv } of readings) {
    const problem = implausibility(ppmv, limit);
    if (problem) leftOut('implausible_ppmv', `sensor ${sensor.name}: ${ppmv} ${problem}`);
    else samples.push({ sensorId: sensor.id, ts, ppmv });
  }
  return samples;
}
