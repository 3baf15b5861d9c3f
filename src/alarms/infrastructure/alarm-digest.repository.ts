import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { HealthTransition } from '../domain/alarm-health.js';
import { AlarmDigestFigures } from '../application/alarm-digest.ports.js';
import { readHealthTransitions } from './alarms.repository.js';

/**
 * SQL over alarms and alarm_transitions for the weekly digest (read only), the health
 * transitions by the lifecycle's own query (alarms.repository.ts): the digest lives in the
 * notifications module, which the lifecycle's module imports, so it reads the tables itself.
 */
@Injectable()
export class SqlAlarmDigestFigures extends AlarmDigestFigures {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async counts(from: Date, to: Date): Promise<{ raised: number; openAtEnd: number }> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE first_raised_at >= $1)::int AS raised,
              count(*) FILTER (WHERE closed_at IS NULL OR closed_at >= $2)::int AS open_at_end
       FROM alarms WHERE first_raised_at < $2`,
      [from, to],
    )) as Array<{ raised: number; open_at_end: number }>;
    return { raised: row.raised, openAtEnd: row.open_at_end };
  }

  healthTransitions(from: Date, to: Date): Promise<HealthTransition[]> {
    return readHealthTransitions(this.dataSource, from, to);
  }
}
