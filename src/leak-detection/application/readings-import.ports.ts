/** A sensor's stored readings in time order, as typed arrays (they go to a worker thread as they are). */
export interface StoredSeries {
  /** Epoch milliseconds, ascending. */
  times: Float64Array;
  ppmv: Float64Array;
}

/** The readings table as the import and the batch profile use it: bulk writes and whole-series reads. */
export abstract class ImportedReadingsRepository {
  /**
   * Stores readings of a sensor in the caller's transaction; a reading already stored at the
   * same time is kept (ON CONFLICT DO NOTHING, as the ingestion path). Returns how many were new.
   */
  abstract insert(sensorId: number, series: StoredSeries, onProgress?: (fraction: number) => void): Promise<number>;

  /** Holds the sensor's row (FOR KEY SHARE) until the caller's transaction ends; false when it is gone. */
  abstract holdSensor(sensorId: number): Promise<boolean>;

  /**
   * The sensor's readings in [from, to], oldest first, at most `max` of them (the oldest).
   * `background`: for a job nobody waits on, read at the pace of its share of a core (JOB_CPU_PERCENT).
   */
  abstract series(
    sensorId: number,
    window: { from?: Date | null; to?: Date | null },
    max: number,
    options?: { background?: boolean },
  ): Promise<StoredSeries>;
}
