import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { pgArray } from '../../shared/database/pg-array-literal.js';
import type { HistoryPlan } from '../../shared/ingestion/history-window.js';
import { PvHistoryRepository, type PvBucket, type PvSeries } from '../application/experiments.ports.js';

/**
 * Lab PVs change every second or so: buckets are computed from the values themselves, one
 * index range scan per PV (no rollups). Texts have no min/max/avg: a bucket gives the last.
 */
@Injectable()
export class SqlPvHistoryRepository extends PvHistoryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async history(pvIds: readonly number[], plan: HistoryPlan): Promise<PvSeries[]> {
    if (!pvIds.length) return [];
    return plan.mode === 'raw' ? this.raw(pvIds, plan) : this.bucketed(pvIds, plan);
  }

  private async raw(pvIds: readonly number[], plan: Extract<HistoryPlan, { mode: 'raw' }>): Promise<PvSeries[]> {
    const rows = await this.dataSource.query<
      Array<{ pv_id: number; ts: Date; value: number | null; text: string | null }>
    >(
      `SELECT r.* FROM unnest($1::int[]) AS k(id) CROSS JOIN LATERAL (
         SELECT s.pv_id, s.ts, s.value, s.text FROM pv_samples s
         WHERE s.pv_id = k.id AND s.ts >= $2 AND s.ts < $3 ORDER BY s.ts LIMIT $4) r`,
      [pgArray(pvIds), plan.from, plan.to, plan.limit + 1],
    );
    const byPv = new Map<number, Array<{ ts: Date; value: number | null; text: string | null }>>(
      pvIds.map((id) => [id, []]),
    );
    for (const r of rows) byPv.get(r.pv_id)!.push({ ts: r.ts, value: r.value, text: r.text });
    return [...byPv].map(([pvId, samples]) => ({
      mode: 'raw',
      pvId,
      samples: samples.slice(0, plan.limit),
      truncated: samples.length > plan.limit,
    }));
  }

  private async bucketed(
    pvIds: readonly number[],
    plan: Extract<HistoryPlan, { mode: 'bucketed' }>,
  ): Promise<PvSeries[]> {
    const rows = await this.dataSource.query<
      Array<{
        pv_id: number;
        t: Date;
        count: string;
        min: number | null;
        max: number | null;
        avg: number | null;
        last_text: string | null;
      }>
    >(
      `SELECT s.pv_id, date_bin($4 * interval '1 millisecond', s.ts, 'epoch') AS t, count(*) AS count,
              min(s.value) AS min, max(s.value) AS max, avg(s.value) AS avg,
              (array_agg(s.text ORDER BY s.ts DESC) FILTER (WHERE s.text IS NOT NULL))[1] AS last_text
       FROM pv_samples s
       WHERE s.pv_id = ANY($1::int[]) AND s.ts >= $2 AND s.ts < $3
       GROUP BY 1, 2 ORDER BY 1, 2`,
      [pgArray(pvIds), plan.from, plan.to, plan.bucketMs],
    );
    const byPv = new Map<number, PvBucket[]>(pvIds.map((id) => [id, []]));
    for (const r of rows)
      byPv.get(r.pv_id)!.push({
        pvId: r.pv_id,
        t: r.t,
        count: Number(r.count),
        min: r.min,
        max: r.max,
        avg: r.avg,
        lastText: r.last_text,
      });
    return [...byPv].map(([pvId, buckets]) => ({ mode: 'bucketed', pvId, buckets }));
  }
}
