import { AXIS_NAMES, type AxisName } from '../../machines/domain/machine.js';
import type { SampleTable } from '../../shared/ingestion/sample-kind.js';
import type { AxisSample, ElectricalSample, ToolSample } from '../domain/samples.js';

/**
 * The three sample tables of telemetry (migration MachinesAndTelemetry), range-partitioned
 * by day and written in bulk: they have no entities. Electrical and axis samples have
 * per-second and per-minute rollups (count/min/max/sum), kept by a trigger on the sample
 * table in the inserting statement's transaction (migration TelemetryRollups), so that only
 * samples actually stored are counted.
 */
export const ELECTRICAL_SAMPLES: SampleTable<ElectricalSample> = {
  name: 'electrical_samples',
  columns: [
    { name: 'machine_id', type: 'int' },
    { name: 'ts', type: 'timestamptz' },
    { name: 'current', type: 'float8' },
    { name: 'voltage', type: 'float8' },
  ],
  key: ['machine_id', 'ts'],
  sourceColumn: 'machine_id',
  companions: ['electrical_rollup_1s', 'electrical_rollup_1m'],
  values: (s) => [s.machineId, s.ts, s.current, s.voltage],
  fromRow: (r) => ({
    machineId: r.machine_id as number,
    ts: r.ts as Date,
    current: r.current as number,
    voltage: r.voltage as number,
  }),
};

export const AXIS_SAMPLES: SampleTable<AxisSample> = {
  name: 'axis_samples',
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
  sourceColumn: 'machine_id',
  partColumn: 'axis',
  parts: AXIS_NAMES,
  companions: ['axis_rollup_1s', 'axis_rollup_1m'],
  values: (s) => [s.machineId, s.axis, s.ts, s.actual, s.target, s.distanceToGo, s.velocity, s.acceleration, s.homed],
  fromRow: (r) => ({
    machineId: r.machine_id as number,
    axis: r.axis as AxisName,
    ts: r.ts as Date,
    actual: r.actual as number,
    target: r.target as number,
    distanceToGo: r.distance_to_go as number,
    velocity: r.velocity as number,
    acceleration: r.acceleration as number,
    homed: r.homed as boolean,
  }),
};

export const TOOL_SAMPLES: SampleTable<ToolSample> = {
  name: 'tool_samples',
  columns: [
    { name: 'machine_id', type: 'int' },
    { name: 'ts', type: 'timestamptz' },
    { name: 'tool_in_use', type: 'int' },
    { name: 'tool_offset', type: 'float8' },
    { name: 'feed_rate', type: 'float8' },
  ],
  key: ['machine_id', 'ts'],
  sourceColumn: 'machine_id',
  values: (s) => [s.machineId, s.ts, s.toolInUse, s.toolOffset, s.feedRate],
  fromRow: (r) => ({
    machineId: r.machine_id as number,
    ts: r.ts as Date,
    toolInUse: r.tool_in_use as number | null,
    toolOffset: r.tool_offset as number | null,
    feedRate: r.feed_rate as number | null,
  }),
};
