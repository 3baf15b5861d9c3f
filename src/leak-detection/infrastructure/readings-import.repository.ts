import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { transactionalManager } from '../../shared/database/transactions.adapter.js';
import { WorkerPool } from '../../shared/jobs/worker-pool.service.js';
import { ImportedReadingsRepository, type StoredSeries } from '../application/readings-import.ports.js';

/** Rows per INSERT: one statement's parameters stay small, and progress moves between statements. */
const CHUNK = 5_000;

/**
 * Bulk writes into ppmv_samples (INSERT … SELECT FROM unnest(arrays): one round trip per
 * chunk) and whole-series reads for the batch profile and baseline jobs (in the worker pool). Rows of any day land in their day's
 * partition, or in the DEFAULT partition for days without one (partition maintenance moves
 * them out when it creates the day).
 */
@Injectable()
export class SqlImportedReadingsRepository extends ImportedReadingsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly pool: WorkerPool,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async insert(sensorId: number, series: StoredSeries, onProgress?: (fraction: number) => void): Promise<number> {
    const manager = transactionalManager(this.dataSource.manager);
    let inserted = 0;
    for (let start = 0; start < series.times.length; start += CHUNK) {
      const end = Math.min(start + CHUNK, series.times.length);
      const times = Array.from(series.times.subarray(start, end), (ms) => new Date(ms).toISOString());
      const [{ count }] = await manager.query<Array<{ count: string }>>(
        `WITH stored AS (
           INSERT INTO ppmv_samples (sensor_id, ts, ppmv)
           SELECT $1, t, v FROM unnest($2::timestamptz[], $3::float8[]) AS u(t, v)
           ON CONFLICT DO NOTHING RETURNING 1)
         SELECT count(*) AS count FROM stored`,
        [sensorId, times, Array.from(series.ppmv.subarray(start, end))],
      );
      inserted += Number(count);
      onProgress?.(end / series.times.length);
    }
    return inserted;
  }

  async holdSensor(sensorId: number): Promise<boolean> {
    const rows = await transactionalManager(this.dataSource.manager).query<unknown[]>(
      'SELECT 1 FROM leak_sensors WHERE id = $1 FOR KEY SHARE',
      [sensorId],
    );
    return rows.length > 0;
  }

  /** Read in the worker pool (stored-series.tasks.ts): tens of thousands of rows are parsed off the event loop. */
  series(
    sensorId: number,
    window: { from?: Date | null; to?: Date | null },
    max: number,
    options: { background?: boolean } = {},
  ): Promise<StoredSeries> {
    return this.pool.run<StoredSeries>({
      module: new URL('./stored-series.tasks.js', import.meta.url),
      fn: 'readStoredSeries',
      args: [this.config.DATABASE_URL, sensorId, window.from?.getTime() ?? null, window.to?.getTime() ?? null, max],
      background: options.background,
    });
  }
}
