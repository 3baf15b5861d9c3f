/** A sensor's own baseline (absent: the seed it started from). */
export interface StoredBaseline {
  sensorId: number;
  /** The seed's name, or 'augmented'. */
  name: string;
  source: 'SELECTED' | 'AUGMENTED';
  values: Float64Array;
  joints: number[];
  /** The newest reading an augmentation took in (the next one starts after it). */
  readingsUpTo: Date | null;
  updatedAt: Date;
}

export abstract class SensorBaselineRepository {
  abstract load(sensorIds: readonly number[]): Promise<Map<number, StoredBaseline>>;
  /** In the caller's transaction (the job's commit). */
  abstract save(baseline: Omit<StoredBaseline, 'updatedAt'>): Promise<void>;
}
