import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AXIS_NAMES, type AxisName } from '../../machines/domain/machine.js';
import { BatchWriterFactory } from '../../shared/database/batch-writer-factory.js';
import { BatchRowsRejectedError, type BatchTable, type BatchWriter } from '../../shared/database/batch-writer.js';
import type { AxisSample, ElectricalSample, ToolSample } from '../domain/samples.js';
import {
  SampleStore,
  SamplesRefusedError,
  type LatestSamples,
  type SampleKind,
} from '../application/ingestion.ports.js';

export const SAMPLE_TABLES: Record<SampleKind, string> = {
  electrical: 'electrical_samples',
  axis: 'axis_samples',
  tool: 'tool_samples',
};

/**
 * Per-second and per-minute count/min/max/sum of the electrical and axis samples, kept by a
 * trigger on the sample table in the inserting statement's transaction (migration
 * TelemetryRollups), so that only samples actually stored are counted.
 */
export const ROLLUP_TABLES: Partial<Record<SampleKind, readonly string[]>> = {
  electrical: ['electrical_rollup_1s', 'electrical_rollup_1m'],
  axis: ['axis_rollup_1s', 'axis_rollup_1m'],
};

/** Range-partitioned by day on `ts`, all alike. */
export const PARTITIONED_TABLES: readonly string[] = Object.entries(SAMPLE_TABLES).flatMap(([kind, table]) => [
  table,
  ...(ROLLUP_TABLES[kind as SampleKind] ?? []),
]);

/** The electrical sample table as the batch writer sees it (the benchmarks write through it too). */
export const ELECTRICAL_SAMPLES: BatchTable<ElectricalSample> = {
  name: SAMPLE_TABLES.electrical,
  columns: [
    { name: 'machine_id', type: 'int' },
    { name: 'ts', type: 'timestamptz' },
    { name: 'current', type: 'float8' },
    { name: 'voltage', type: 'float8' },
  ],
  key: ['machine_id', 'ts'],
  values: (s) => [s.machineId, s.ts, s.current, s.voltage],
};

const AXIS: BatchTable<AxisSample> = {
  name: SAMPLE_TABLES.axis,
  columns: [
    { name: 'machine_id', type: 'int' },
    { name: 'axis', type: 'char(1)' },
    { name: 'ts', type: 'timestamptz' },
    { name: 'actual', type: 'float8' },
    { name: 'target', type: 'float8' },
    { name: 'distance_to_go', type: 'float8' },
    { name: 'velocity', type: 'float8' },
    { name: 'acceleration', type: 'float8' },
    { name: 'homed', type: 'bool' },
  ],
  key: ['machine_id', 'axis', 'ts'],
  values: (s) => [s.machineId, s.axis, s.ts, s.actual, s.target, s.distanceToGo, s.velocity, s.acceleration, s.homed],
};

const TOOL: BatchTable<ToolSample> = {
  name: SAMPLE_TABLES.tool,
  columns: [
    { name: 'machine_id', type: 'int' },
    { name: 'ts', type: 'timestamptz' },
    { name: 'tool_in_use', type: 'int' },
    { name: 'tool_offset', type: 'float8' },
    { name: 'feed_rate', type: 'float8' },
  ],
  key: ['machine_id', 'ts'],
  values: (s) => [s.machineId, s.ts, s.toolInUse, s.toolOffset, s.feedRate],
};

/**
 * The sample tables: writes through one batch writer per table (one INSERT … ON CONFLICT DO
 * NOTHING per batch), reads with plain SQL (they have no entities: partitioned, bulk-written).
 */
@Injectable()
export class PgSampleStore extends SampleStore {
  private readonly electrical: BatchWriter<ElectricalSample>;
  private readonly axes: BatchWriter<AxisSample>;
  private readonly tool: BatchWriter<ToolSample>;

  constructor(
    writers: BatchWriterFactory,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    super();
    this.electrical = writers.create(ELECTRICAL_SAMPLES);
    this.axes = writers.create(AXIS);
    this.tool = writers.create(TOOL);
  }

  writeElectrical(samples: readonly ElectricalSample[]): Promise<ElectricalSample[]> {
    return newRows(this.electrical, samples);
  }

  writeAxes(samples: readonly AxisSample[]): Promise<AxisSample[]> {
    return newRows(this.axes, samples);
  }

  writeTool(samples: readonly ToolSample[]): Promise<ToolSample[]> {
    return newRows(this.tool, samples);
  }

  /**
   * One index probe per machine (per machine and axis) through each partition in the window,
   * newest first: bounded by the number of machines, however many samples the window holds
   * (DISTINCT ON would read every sample of the window).
   */
  async latest(machineIds: readonly number[], since: Date): Promise<LatestSamples> {
    if (!machineIds.length) return { electrical: [], axes: [], tool: [] };
    const ids = [...machineIds];
    const [electrical, axes, tool] = await Promise.all([
      this.dataSource.query<Array<{ machine_id: number; ts: Date; current: number; voltage: number }>>(
        `SELECT s.* FROM unnest($1::int[]) AS m(id) CROSS JOIN LATERAL (
           SELECT machine_id, ts, current, voltage FROM electrical_samples
           WHERE machine_id = m.id AND ts >= $2 ORDER BY ts DESC LIMIT 1) s`,
        [ids, since],
      ),
      this.dataSource.query<AxisRow[]>(
        `SELECT s.* FROM unnest($1::int[]) AS m(id) CROSS JOIN unnest($3::text[]) AS a(axis) CROSS JOIN LATERAL (
           SELECT machine_id, axis, ts, actual, target, distance_to_go, velocity, acceleration, homed FROM axis_samples
           WHERE machine_id = m.id AND axis = a.axis AND ts >= $2 ORDER BY ts DESC LIMIT 1) s`,
        [ids, since, AXIS_NAMES],
      ),
      this.dataSource.query<ToolRow[]>(
        `SELECT s.* FROM unnest($1::int[]) AS m(id) CROSS JOIN LATERAL (
           SELECT machine_id, ts, tool_in_use, tool_offset, feed_rate FROM tool_samples
           WHERE machine_id = m.id AND ts >= $2 ORDER BY ts DESC LIMIT 1) s`,
        [ids, since],
      ),
    ]);
    return {
      electrical: electrical.map((r) => ({
        machineId: r.machine_id,
        ts: r.ts,
        current: r.current,
        voltage: r.voltage,
      })),
      axes: axes.map((r) => ({
        machineId: r.machine_id,
        axis: r.axis,
        ts: r.ts,
        actual: r.actual,
        target: r.target,
        distanceToGo: r.distance_to_go,
        velocity: r.velocity,
        acceleration: r.acceleration,
        homed: r.homed,
      })),
      tool: tool.map((r) => ({
        machineId: r.machine_id,
        ts: r.ts,
        toolInUse: r.tool_in_use,
        toolOffset: r.tool_offset,
        feedRate: r.feed_rate,
      })),
    };
  }

  async countOfMachine(kind: SampleKind, machineId: number): Promise<number> {
    const [row] = await this.dataSource.query<Array<{ count: string }>>(
      `SELECT count(*) AS count FROM ${SAMPLE_TABLES[kind]} WHERE machine_id = $1`,
      [machineId],
    );
    return Number(row.count);
  }

  async deleteOfMachine(kind: SampleKind, machineId: number): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      for (const table of [SAMPLE_TABLES[kind], ...(ROLLUP_TABLES[kind] ?? [])])
        await manager.query(`DELETE FROM ${table} WHERE machine_id = $1`, [machineId]);
    });
  }
}

interface AxisRow {
  machine_id: number;
  axis: AxisName;
  ts: Date;
  actual: number;
  target: number;
  distance_to_go: number;
  velocity: number;
  acceleration: number;
  homed: boolean;
}

interface ToolRow {
  machine_id: number;
  ts: Date;
  tool_in_use: number | null;
  tool_offset: number | null;
  feed_rate: number | null;
}

async function newRows<T>(writer: BatchWriter<T>, samples: readonly T[]): Promise<T[]> {
  try {
    return (await writer.write(samples)).newRows;
  } catch (error) {
    if (error instanceof BatchRowsRejectedError) throw new SamplesRefusedError(error.code, error.message);
    throw error;
  }
}
