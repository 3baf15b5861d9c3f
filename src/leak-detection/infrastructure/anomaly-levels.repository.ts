import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { pgArray } from '../../shared/database/pg-array-literal.js';
import { selectPage, sqlWhere } from '../../shared/database/sql-page.js';
import { transactionalManager } from '../../shared/database/transactions.adapter.js';
import type { PageResult } from '../../shared/graphql/pagination.js';
import type { AnomalyLevel } from '../domain/anomaly-level.js';
import {
  AnomalyLevelRepository,
  type AnomalyBatchWrites,
  type SensorEventFilter,
  type StoredScorer,
  type StoredSensorEvent,
  type StoredSystemEvent,
  type SystemEventFilter,
  type SystemEventRow,
  type SystemEventType,
} from '../application/anomaly-levels.ports.js';

type Page = { offset: number; limit: number };

interface ScorerRow {
  sensor_id: number;
  window: number;
  sequence: number;
  last_level: AnomalyLevel;
  last_ts: Date;
  feedback_started_at: number | null;
  feedback_history: number[][];
}

interface SensorEventRowShape {
  id: string;
  sensor_id: number;
  level: AnomalyLevel;
  previous_level: AnomalyLevel | null;
  at: Date;
  ppmv: number;
  percent: number | null;
}

interface SystemEventRowShape {
  id: string;
  type: SystemEventType;
  message: string;
  sensor_id: number | null;
  at: Date;
}

/** Plain SQL: levels go in bulk (one statement per batch), and the partitioned tables have no ORM entity. */
@Injectable()
export class SqlAnomalyLevelRepository extends AnomalyLevelRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  private get db() {
    return transactionalManager(this.dataSource.manager);
  }

  async loadScorers(
    sensorIds: readonly number[],
    latestWanted: (scorer: Omit<StoredScorer, 'latest'>) => number,
  ): Promise<Map<number, StoredScorer>> {
    const result = new Map<number, StoredScorer>();
    if (!sensorIds.length) return result;
    const rows: ScorerRow[] = await this.db.query(
      `SELECT sensor_id, "window", sequence, last_level, last_ts, feedback_started_at, feedback_history
       FROM anomaly_scorers WHERE sensor_id = ANY($1::int[])`,
      [pgArray(sensorIds)],
    );
    if (!rows.length) return result;
    const scorers = rows.map((r) => ({
      sensorId: r.sensor_id,
      windowSize: r.window,
      sequence: r.sequence,
      lastLevel: r.last_level,
      lastTs: r.last_ts,
      feedbackStartedAt: r.feedback_started_at,
      feedbackHistory: r.feedback_history,
    }));
    const wanted = scorers.map(latestWanted);
    // The newest *scored* readings: a late reading stored but never scored is not part of the scorer.
    const latest: Array<{ sensor_id: number; ppmv: number[] }> = await this.db.query(
      `SELECT k.id AS sensor_id, coalesce(array_agg(r.ppmv ORDER BY r.ts), '{}') AS ppmv
       FROM unnest($1::int[], $2::timestamptz[], $3::int[]) AS k(id, last_ts, wanted)
       LEFT JOIN LATERAL (
         SELECT s.ts, s.ppmv FROM anomaly_levels a
         JOIN ppmv_samples s ON s.sensor_id = a.sensor_id AND s.ts = a.ts
         WHERE a.sensor_id = k.id AND a.ts <= k.last_ts ORDER BY a.ts DESC LIMIT k.wanted) r ON true
       GROUP BY k.id`,
      [pgArray(scorers.map((s) => s.sensorId)), pgArray(scorers.map((s) => s.lastTs)), pgArray(wanted)],
    );
    const latestOf = new Map(latest.map((r) => [r.sensor_id, r.ppmv.filter((x) => x !== null)]));
    for (const scorer of scorers)
      result.set(scorer.sensorId, { ...scorer, latest: latestOf.get(scorer.sensorId) ?? [] });
    return result;
  }

  async write(batch: AnomalyBatchWrites): Promise<{ events: StoredSensorEvent[]; systemEvents: StoredSystemEvent[] }> {
    const db = this.db;
    const { levels, events, systemEvents, scorers } = batch;
    if (levels.length)
      await db.query(
        `INSERT INTO anomaly_levels (sensor_id, ts, level, percent, feedback)
         SELECT * FROM unnest($1::int[], $2::timestamptz[], $3::varchar[], $4::float8[], $5::bool[])
         ON CONFLICT (sensor_id, ts) DO UPDATE
           SET level = EXCLUDED.level, percent = EXCLUDED.percent, feedback = EXCLUDED.feedback`,
        [
          pgArray(levels.map((l) => l.sensorId)),
          pgArray(levels.map((l) => l.ts)),
          pgArray(levels.map((l) => l.level)),
          pgArray(levels.map((l) => l.percent)),
          pgArray(levels.map((l) => l.feedback)),
        ],
      );
    let storedEvents: StoredSensorEvent[] = [];
    if (events.length) {
      const rows: SensorEventRowShape[] = await db.query(
        `INSERT INTO leak_sensor_events (sensor_id, level, previous_level, at, ppmv, percent)
         SELECT * FROM unnest($1::int[], $2::varchar[], $3::varchar[], $4::timestamptz[], $5::float8[], $6::float8[])
         RETURNING *`,
        [
          pgArray(events.map((e) => e.sensorId)),
          pgArray(events.map((e) => e.level)),
          pgArray(events.map((e) => e.previousLevel)),
          pgArray(events.map((e) => e.at)),
          pgArray(events.map((e) => e.ppmv)),
          pgArray(events.map((e) => e.percent)),
        ],
      );
      storedEvents = rows.map(toSensorEvent);
    }
    const storedSystemEvents: StoredSystemEvent[] = [];
    for (const event of systemEvents) storedSystemEvents.push(await this.insertSystemEvent(event));
    if (scorers.length) {
      await db.query(
        `INSERT INTO anomaly_scorers (sensor_id, "window", sequence, last_level, last_ts, feedback_started_at)
         SELECT * FROM unnest($1::int[], $2::int[], $3::int[], $4::varchar[], $5::timestamptz[], $6::int[])
         ON CONFLICT (sensor_id) DO UPDATE SET "window" = EXCLUDED."window", sequence = EXCLUDED.sequence,
           last_level = EXCLUDED.last_level, last_ts = EXCLUDED.last_ts,
           feedback_started_at = EXCLUDED.feedback_started_at, updated_at = now()`,
        [
          pgArray(scorers.map((s) => s.sensorId)),
          pgArray(scorers.map((s) => s.windowSize)),
          pgArray(scorers.map((s) => s.sequence)),
          pgArray(scorers.map((s) => s.lastLevel)),
          pgArray(scorers.map((s) => s.lastTs)),
          pgArray(scorers.map((s) => s.feedbackStartedAt)),
        ],
      );
      for (const scorer of scorers)
        if (scorer.feedbackHistory)
          await db.query('UPDATE anomaly_scorers SET feedback_history = $2::jsonb WHERE sensor_id = $1', [
            scorer.sensorId,
            JSON.stringify(scorer.feedbackHistory),
          ]);
    }
    return { events: storedEvents, systemEvents: storedSystemEvents };
  }

  async scorerCount(sensorIds: readonly number[]): Promise<number> {
    const rows: Array<{ n: number }> = await this.db.query(
      'SELECT count(*)::int AS n FROM anomaly_scorers WHERE sensor_id = ANY($1::int[])',
      [pgArray(sensorIds)],
    );
    return rows[0].n;
  }

  async sequenceOf(sensorId: number): Promise<number> {
    const rows: Array<{ sequence: number }> = await this.db.query(
      'SELECT sequence FROM anomaly_scorers WHERE sensor_id = $1',
      [sensorId],
    );
    return rows[0]?.sequence ?? 0;
  }

  async criticalEpisodes(
    scorers: ReadonlyArray<{ sensorId: number; lastTs: Date }>,
  ): Promise<Map<number, { since: Date; readings: number }>> {
    if (!scorers.length) return new Map();
    const rows: Array<{ sensor_id: number; since: Date; readings: number }> = await this.db.query(
      `SELECT k.id AS sensor_id, e.at AS since,
              (SELECT count(*)::int FROM anomaly_levels a
               WHERE a.sensor_id = k.id AND a.ts > e.at AND a.ts <= k.last_ts) AS readings
       FROM unnest($1::int[], $2::timestamptz[]) AS k(id, last_ts)
       CROSS JOIN LATERAL (SELECT at, level FROM leak_sensor_events
                           WHERE sensor_id = k.id AND at <= k.last_ts ORDER BY at DESC, id DESC LIMIT 1) e
       WHERE e.level = 'CRITICAL'`,
      [pgArray(scorers.map((s) => s.sensorId)), pgArray(scorers.map((s) => s.lastTs))],
    );
    return new Map(rows.map((r) => [r.sensor_id, { since: r.since, readings: r.readings }]));
  }

  addSystemEvent(event: SystemEventRow): Promise<StoredSystemEvent> {
    return this.insertSystemEvent(event);
  }

  sensorEvents(filter: SensorEventFilter, page: Page): Promise<PageResult<StoredSensorEvent>> {
    const where = sqlWhere([
      filter.sensorIds && ['sensor_id = ANY(?::int[])', pgArray(filter.sensorIds)],
      filter.levels && ['level = ANY(?::varchar[])', pgArray(filter.levels)],
      filter.from && ['at >= ?', filter.from],
      filter.to && ['at < ?', filter.to],
    ]);
    return selectPage(
      this.db,
      { from: 'leak_sensor_events', filter: where, orderBy: 'at DESC, id DESC' },
      page,
      toSensorEvent,
    );
  }

  systemEvents(filter: SystemEventFilter, page: Page): Promise<PageResult<StoredSystemEvent>> {
    const where = sqlWhere([
      filter.types && ['type = ANY(?::varchar[])', pgArray(filter.types)],
      filter.sensorIds && ['sensor_id = ANY(?::int[])', pgArray(filter.sensorIds)],
      filter.from && ['at >= ?', filter.from],
      filter.to && ['at < ?', filter.to],
    ]);
    return selectPage(
      this.db,
      { from: 'leak_system_events', filter: where, orderBy: 'at DESC, id DESC' },
      page,
      toSystemEvent,
    );
  }

  private async insertSystemEvent(event: SystemEventRow): Promise<StoredSystemEvent> {
    const rows: SystemEventRowShape[] = await this.db.query(
      'INSERT INTO leak_system_events (type, message, sensor_id) VALUES ($1, $2, $3) RETURNING *',
      [event.type, event.message, event.sensorId],
    );
    return toSystemEvent(rows[0]);
  }
}

function toSensorEvent(r: SensorEventRowShape): StoredSensorEvent {
  return {
    id: String(r.id),
    sensorId: r.sensor_id,
    level: r.level,
    previousLevel: r.previous_level,
    at: r.at,
    ppmv: r.ppmv,
    percent: r.percent,
  };
}

function toSystemEvent(r: SystemEventRowShape): StoredSystemEvent {
  return { id: String(r.id), type: r.type, message: r.message, sensorId: r.sensor_id, at: r.at };
}
