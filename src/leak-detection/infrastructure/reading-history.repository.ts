import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { pgArray } from '../../shared/database/pg-array-literal.js';
import type { HistoryPlan } from '../../shared/ingestion/history-window.js';
import {
  ReadingHistoryRepository,
  type AnomalyLevelName,
  type ReadingBucket,
  type ReadingSeries,
  type ScoredReading,
} from '../application/leak-readings.ports.js';

/** Severity order of the levels, for the worst level of a bucket. */
const SEVERITY =
  "CASE a.level WHEN 'CRITICAL' THEN 3 WHEN 'WARNING' THEN 2 WHEN 'OK' THEN 1 WHEN 'UNDEFINED' THEN 0 END";
const LEVEL_OF = "(ARRAY['UNDEFINED','OK','WARNING','CRITICAL'])[max_severity + 1]";

/**
 * Readings are ten minutes apart in the field (a year of one sensor is ~52k rows), so
 * buckets are computed from the readings themselves: one index range scan per sensor.
 */
@Injectable()
export class SqlReadingHistoryRepository extends ReadingHistoryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async history(sensorIds: readonly number[], plan: HistoryPlan): Promise<ReadingSeries[]> {
    if (!sensorIds.length) return [];
    return plan.mode === 'raw' ? this.raw(sensorIds, plan) : this.bucketed(sensorIds, plan);
  }

  private async raw(
    sensorIds: readonly number[],
    plan: Extract<HistoryPlan, { mode: 'raw' }>,
  ): Promise<ReadingSeries[]> {
    const rows = await this.dataSource.query<
      Array<{ sensor_id: number; ts: Date; ppmv: number; level: AnomalyLevelName | null; percent: number | null }>
    >(
      `SELECT r.* FROM unnest($1::int[]) AS k(id) CROSS JOIN LATERAL (
         SELECT s.sensor_id, s.ts, s.ppmv, a.level, a.percent FROM ppmv_samples s
         LEFT JOIN anomaly_levels a ON a.sensor_id = s.sensor_id AND a.ts = s.ts
         WHERE s.sensor_id = k.id AND s.ts >= $2 AND s.ts < $3 ORDER BY s.ts LIMIT $4) r`,
      [pgArray(sensorIds), plan.from, plan.to, plan.limit + 1],
    );
    const bySensor = new Map<number, ScoredReading[]>(sensorIds.map((id) => [id, []]));
    for (const r of rows)
      bySensor
        .get(r.sensor_id)!
        .push({ sensorId: r.sensor_id, ts: r.ts, ppmv: r.ppmv, level: r.level, percent: r.percent });
    return [...bySensor].map(([sensorId, readings]) => ({
      mode: 'raw',
      sensorId,
      readings: readings.slice(0, plan.limit),
      truncated: readings.length > plan.limit,
    }));
  }

  private async bucketed(
    sensorIds: readonly number[],
    plan: Extract<HistoryPlan, { mode: 'bucketed' }>,
  ): Promise<ReadingSeries[]> {
    const rows = await this.dataSource.query<
      Array<{
        sensor_id: number;
        t: Date;
        count: string;
        min: number;
        max: number;
        avg: number;
        worst: AnomalyLevelName | null;
      }>
    >(
      `SELECT sensor_id, t, count, min, max, avg, ${LEVEL_OF} AS worst FROM (
         SELECT s.sensor_id, date_bin($4 * interval '1 millisecond', s.ts, 'epoch') AS t, count(*) AS count,
                min(s.ppmv) AS min, max(s.ppmv) AS max, avg(s.ppmv) AS avg, max(${SEVERITY}) AS max_severity
         FROM ppmv_samples s LEFT JOIN anomaly_levels a ON a.sensor_id = s.sensor_id AND a.ts = s.ts
         WHERE s.sensor_id = ANY($1::int[]) AND s.ts >= $2 AND s.ts < $3
         GROUP BY 1, 2) b ORDER BY sensor_id, t`,
      [pgArray(sensorIds), plan.from, plan.to, plan.bucketMs],
    );
    const bySensor = new Map<number, ReadingBucket[]>(sensorIds.map((id) => [id, []]));
    for (const r of rows)
      bySensor.get(r.sensor_id)!.push({
        sensorId: r.sensor_id,
        t: r.t,
        count: Number(r.count),
        min: r.min,
        max: r.max,
        avg: r.avg,
        worstLevel: r.worst,
      });
    return [...bySensor].map(([sensorId, buckets]) => ({ mode: 'bucketed', sensorId, buckets }));
  }
}
