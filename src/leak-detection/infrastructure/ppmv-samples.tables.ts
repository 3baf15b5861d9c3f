import type { SampleTable } from '../../shared/ingestion/sample-kind.js';
import type { PpmvSample } from '../domain/readings.js';

/** Its companion: the anomaly level of each reading, keyed alike, partitioned and retained alike. */
export const ANOMALY_LEVELS_TABLE = 'anomaly_levels';

/** The readings (migration LeakDetection), range-partitioned by day, written in bulk. */
export const PPMV_SAMPLES: SampleTable<PpmvSample> = {
  name: 'ppmv_samples',
  columns: [
    { name: 'sensor_id', type: 'int' },
    { name: 'ts', type: 'timestamptz' },
    { name: 'ppmv', type: 'float8' },
  ],
  key: ['sensor_id', 'ts'],
  sourceColumn: 'sensor_id',
  companions: [ANOMALY_LEVELS_TABLE],
  values: (s) => [s.sensorId, s.ts, s.ppmv],
  fromRow: (r) => ({ sensorId: r.sensor_id as number, ts: r.ts as Date, ppmv: r.ppmv as number }),
};
