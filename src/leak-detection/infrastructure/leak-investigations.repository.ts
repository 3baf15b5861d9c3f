import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { pgArray } from '../../shared/database/pg-array-literal.js';
import { selectPage, sqlWhere } from '../../shared/database/sql-page.js';
import {
  LeakInvestigationRepository,
  type InvestigationFilter,
  type InvestigationRecord,
  type StoredInvestigation,
} from '../application/leak-investigations.ports.js';

interface Row {
  id: string;
  sensor_id: number;
  at: Date;
  trigger: StoredInvestigation['trigger'];
  result: StoredInvestigation['result'];
  reason: string;
  confirmed_candidate_id: number | null;
  confirmed_name: string | null;
  details: Record<string, unknown>;
  created_at: Date;
}

@Injectable()
export class SqlLeakInvestigationRepository extends LeakInvestigationRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async add(r: InvestigationRecord): Promise<StoredInvestigation | null> {
    const rows: Row[] = await this.dataSource.query(
      `INSERT INTO leak_investigations (sensor_id, at, trigger, result, reason, confirmed_candidate_id, confirmed_name, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb) ON CONFLICT (sensor_id, at) DO NOTHING RETURNING *`,
      [
        r.sensorId,
        r.at,
        r.trigger,
        r.result,
        r.reason,
        r.confirmedCandidateId,
        r.confirmedName,
        JSON.stringify(r.details),
      ],
    );
    return rows[0] ? toInvestigation(rows[0]) : null;
  }

  async find(sensorId: number, at: Date): Promise<StoredInvestigation | null> {
    const rows: Row[] = await this.dataSource.query(
      'SELECT * FROM leak_investigations WHERE sensor_id = $1 AND at = $2',
      [sensorId, at],
    );
    return rows[0] ? toInvestigation(rows[0]) : null;
  }

  async confirmedBetween(sensorId: number, from: Date, to: Date): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM leak_investigations WHERE sensor_id = $1 AND at >= $2 AND at <= $3 AND result = 'CONFIRMED' LIMIT 1`,
      [sensorId, from, to],
    );
    return rows.length > 0;
  }

  list(filter: InvestigationFilter, page: { offset: number; limit: number }) {
    const where = sqlWhere([
      filter.sensorIds?.length && ['sensor_id = ANY(?::int[])', pgArray(filter.sensorIds)],
      filter.results?.length && ['result = ANY(?::text[])', pgArray(filter.results)],
    ]);
    return selectPage(
      this.dataSource,
      { from: 'leak_investigations', filter: where, orderBy: 'created_at DESC, id DESC' },
      page,
      toInvestigation,
    );
  }

  async readingsUpTo(sensorIds: readonly number[], at: Date, count: number): Promise<Map<number, number[]>> {
    const rows: Array<{ sensor_id: number; ppmv: number[] }> = await this.dataSource.query(
      `SELECT k.id AS sensor_id, coalesce(array_agg(r.ppmv ORDER BY r.ts), '{}') AS ppmv
       FROM unnest($1::int[]) AS k(id)
       LEFT JOIN LATERAL (SELECT ts, ppmv FROM ppmv_samples WHERE sensor_id = k.id AND ts <= $2
                          ORDER BY ts DESC LIMIT $3) r ON true
       GROUP BY k.id`,
      [pgArray(sensorIds), at, count],
    );
    return new Map(rows.map((r) => [r.sensor_id, r.ppmv.filter((x) => x !== null)]));
  }
}

function toInvestigation(r: Row): StoredInvestigation {
  return {
    id: String(r.id),
    sensorId: r.sensor_id,
    at: r.at,
    trigger: r.trigger,
    result: r.result,
    reason: r.reason,
    confirmedCandidateId: r.confirmed_candidate_id,
    confirmedName: r.confirmed_name,
    details: r.details,
    createdAt: r.created_at,
  };
}
