import type { HistoryPlan } from '../../shared/ingestion/history-window.js';

export type AnomalyLevelName = 'UNDEFINED' | 'OK' | 'WARNING' | 'CRITICAL';

/** A reading with the level it was scored (null until scored). */
export interface ScoredReading {
  sensorId: number;
  ts: Date;
  ppmv: number;
  level: AnomalyLevelName | null;
  percent: number | null;
}

/** A bucket of readings: min/max/avg ppmv and the worst level inside. */
export interface ReadingBucket {
  sensorId: number;
  t: Date;
  count: number;
  min: number;
  max: number;
  avg: number;
  worstLevel: AnomalyLevelName | null;
}

export type ReadingSeries =
  | { mode: 'raw'; sensorId: number; readings: ScoredReading[]; truncated: boolean }
  | { mode: 'bucketed'; sensorId: number; buckets: ReadingBucket[] };

/** History reads of ppmv readings with their anomaly levels (plain SQL over the partitioned tables). */
export abstract class ReadingHistoryRepository {
  abstract history(sensorIds: readonly number[], plan: HistoryPlan): Promise<ReadingSeries[]>;
}
