import type { SampleTable } from '../../shared/ingestion/sample-kind.js';
import type { PvSample } from '../domain/pv-values.js';

/**
 * PV values (migration Experiments), range-partitioned by day, written in bulk. One table
 * for both types: a NUMBER PV's rows fill `value`, a TEXT PV's `text` (a CHECK keeps exactly
 * one), so a PV is one source with one key (pv_id, ts) on one topic, whatever its type.
 */
export const PV_SAMPLES: SampleTable<PvSample> = {
  name: 'pv_samples',
  columns: [
    { name: 'pv_id', type: 'int' },
    { name: 'ts', type: 'timestamptz' },
    { name: 'value', type: 'float8' },
    { name: 'text', type: 'text' },
  ],
  key: ['pv_id', 'ts'],
  sourceColumn: 'pv_id',
  values: (s) => [s.pvId, s.ts, s.value, s.text],
  fromRow: (r) => ({
    pvId: r.pv_id as number,
    ts: r.ts as Date,
    value: r.value as number | null,
    text: r.text as string | null,
  }),
};
