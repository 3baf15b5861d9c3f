import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { MachineState } from '../domain/machine-state.js';
import type { TimeWindow } from '../domain/machine-state-window.js';
import type { PlausibilityLimits } from '../domain/production-report.js';
import { ProductionReportRepository, type MeasuredFigures } from '../application/production-report.ports.js';

/**
 * One statement over the window [$2, $3) of machine $1; $4/$5 are the plausibility limits
 * (null: none). Segments are clipped to the window (an open one ends at its last reading);
 * PRODUCTION readings are the samples inside a PRODUCTION segment, from its start to its
 * last reading, found through the samples' (machine_id, ts) key, one range per segment.
 */
const MEASURE = `
WITH seg AS (
  SELECT state, started_at, last_sample_at,
         greatest(started_at, $2) AS clip_start, least(coalesce(ended_at, last_sample_at), $3) AS clip_end
  FROM (
    SELECT state, started_at, ended_at, last_sample_at FROM machine_state_segments
    WHERE machine_id = $1 AND started_at >= $2 AND started_at < $3
    UNION ALL
    (SELECT state, started_at, ended_at, last_sample_at FROM machine_state_segments
     WHERE machine_id = $1 AND started_at < $2 ORDER BY started_at DESC LIMIT 1)
  ) overlapping
),
production AS (
  SELECT s.current, s.voltage
  FROM seg JOIN electrical_samples s
    ON s.machine_id = $1 AND s.ts >= seg.clip_start AND s.ts <= seg.last_sample_at AND s.ts < $3
  WHERE seg.state = 'PRODUCTION'
)
SELECT
  (SELECT coalesce(json_object_agg(state, seconds), '{}'::json) FROM (
     SELECT state, sum(extract(epoch FROM clip_end - clip_start))::float8 AS seconds
     FROM seg WHERE clip_end > clip_start GROUP BY state) t) AS seconds_in_state,
  (SELECT count(*)::int FROM electrical_samples WHERE machine_id = $1 AND ts >= $2 AND ts < $3) AS samples,
  (SELECT count(*)::int FROM out_of_standard_episodes
     WHERE machine_id = $1 AND started_at < $3
       AND (started_at >= $2 OR coalesce(ended_at, last_sample_at) > $2)) AS episodes,
  count(*)::int AS production_samples,
  count(*) FILTER (WHERE current > $4::float8 OR voltage > $5::float8)::int AS implausible_samples,
  avg(current) FILTER (WHERE $4::float8 IS NULL OR current <= $4::float8) AS current_avg,
  min(current) FILTER (WHERE $4::float8 IS NULL OR current <= $4::float8) AS current_min,
  max(current) FILTER (WHERE $4::float8 IS NULL OR current <= $4::float8) AS current_max,
  avg(voltage) FILTER (WHERE $5::float8 IS NULL OR voltage <= $5::float8) AS voltage_avg,
  min(voltage) FILTER (WHERE $5::float8 IS NULL OR voltage <= $5::float8) AS voltage_min,
  max(voltage) FILTER (WHERE $5::float8 IS NULL OR voltage <= $5::float8) AS voltage_max
FROM production`;

interface MeasureRow {
  seconds_in_state: Partial<Record<MachineState, number>>;
  samples: number;
  episodes: number;
  production_samples: number;
  implausible_samples: number;
  current_avg: number | null;
  current_min: number | null;
  current_max: number | null;
  voltage_avg: number | null;
  voltage_min: number | null;
  voltage_max: number | null;
}

@Injectable()
export class SqlProductionReportRepository extends ProductionReportRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  async measure(machineId: number, window: TimeWindow, limits: PlausibilityLimits): Promise<MeasuredFigures> {
    const [row]: MeasureRow[] = await this.dataSource.query(MEASURE, [
      machineId,
      window.from,
      window.to,
      limits.current,
      limits.voltage,
    ]);
    return {
      secondsInState: row.seconds_in_state,
      current: { avg: row.current_avg, min: row.current_min, max: row.current_max },
      voltage: { avg: row.voltage_avg, min: row.voltage_min, max: row.voltage_max },
      outOfStandardEpisodes: row.episodes,
      samples: row.samples,
      productionSamples: row.production_samples,
      implausibleSamples: row.implausible_samples,
    };
  }
}
