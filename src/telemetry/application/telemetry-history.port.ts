import type { AxisName } from '../../machines/domain/machine.js';
import type { HistoryPlan } from '../../shared/ingestion/history-window.js';

/** The quantities a history can carry, by sample kind (names as clients see them). */
export const ELECTRICAL_FIELDS = ['current', 'voltage'] as const;
export const AXIS_FIELDS = ['actual', 'target', 'distanceToGo', 'velocity', 'acceleration', 'homedFraction'] as const;
export const TOOL_FIELDS = ['toolInUse', 'toolOffset', 'feedRate'] as const;
export type ElectricalField = (typeof ELECTRICAL_FIELDS)[number];
export type AxisField = (typeof AXIS_FIELDS)[number];
export type ToolField = (typeof TOOL_FIELDS)[number];
export const STAT_NAMES = ['min', 'max', 'avg'] as const;
export type StatName = (typeof STAT_NAMES)[number];

/**
 * One quantity of a series, aligned with the series' `ts`: per bucket its minimum, maximum
 * and average; a raw sample is a bucket of one, so all three are its value. Null where a
 * bucket holds no value of an optional quantity (tool data).
 */
export interface StatsColumns {
  min: (number | null)[];
  max: (number | null)[];
  avg: (number | null)[];
}

/**
 * A series in columns: `ts` holds the sample times (raw) or bucket starts (bucketed), in
 * ascending order, and every other column is aligned with it. Columns are stored once per
 * series rather than as one object per point: a chart reads them as they are, and GraphQL
 * serialises a list of numbers many times faster than as many objects.
 */
export interface SeriesColumns {
  ts: Date[];
  /** Samples per bucket (1 for raw samples). */
  count: number[];
  /** Raw mode: the window held more samples than the limit; these are the first ones. */
  truncated: boolean;
}

export interface ElectricalColumns extends SeriesColumns {
  current?: StatsColumns;
  voltage?: StatsColumns;
}

export interface AxisColumns extends SeriesColumns {
  actual?: StatsColumns;
  target?: StatsColumns;
  distanceToGo?: StatsColumns;
  velocity?: StatsColumns;
  acceleration?: StatsColumns;
  /** Share of the samples with the axis homed: 0 or 1 for a raw sample. */
  homedFraction?: number[];
}

export interface ToolColumns extends SeriesColumns {
  /** The last tool known to be in use in each bucket (raw: at each sample). */
  toolInUse?: (number | null)[];
  toolOffset?: StatsColumns;
  feedRate?: StatsColumns;
}

/** Which series, over which window and at which resolution; only `fields` are computed. */
export interface SeriesQuery<F extends string, S> {
  series: readonly S[];
  plan: HistoryPlan;
  fields: readonly F[];
  /**
   * Buckets only: which of min/max/avg to compute for the fields that have them (all when
   * omitted); the lists of the others are left empty. A raw sample's value is all three.
   */
  stats?: readonly StatName[];
}

export interface AxisSeriesKey {
  machineId: number;
  axis: AxisName;
}

/**
 * Port: reads the sample tables. Each method answers one series per requested key, in the
 * order given (empty columns where the window holds no sample).
 */
export abstract class TelemetryHistoryReader {
  abstract electrical(query: SeriesQuery<ElectricalField, number>): Promise<ElectricalColumns[]>;
  abstract axes(query: SeriesQuery<AxisField, AxisSeriesKey>): Promise<AxisColumns[]>;
  abstract tools(query: SeriesQuery<ToolField, number>): Promise<ToolColumns[]>;
}
