import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { HistoryPlan } from '../domain/history-window.js';
import {
  TelemetryHistoryReader,
  type AxisColumns,
  type AxisField,
  type AxisSeriesKey,
  type ElectricalColumns,
  type ElectricalField,
  type SeriesColumns,
  type SeriesQuery,
  type StatsColumns,
  type ToolColumns,
  type ToolField,
} from '../application/telemetry-history.port.js';

/** How a quantity is summarised per bucket: min/max/avg, share of true, or last value seen. */
type Summary = 'stats' | 'share' | 'last';

interface Quantity {
  column: string;
  summary: Summary;
  /** Optional in the samples: its average divides by its own count, not the bucket's. */
  optional?: boolean;
}

interface SampleTable<F extends string> {
  name: string;
  byAxis: boolean;
  quantities: Record<F, Quantity>;
}

const ELECTRICAL: SampleTable<ElectricalField> = {
  name: 'electrical_samples',
  byAxis: false,
  quantities: { current: { column: 'current', summary: 'stats' }, voltage: { column: 'voltage', summary: 'stats' } },
};

const AXIS: SampleTable<AxisField> = {
  name: 'axis_samples',
  byAxis: true,
  quantities: {
    actual: { column: 'actual', summary: 'stats' },
    target: { column: 'target', summary: 'stats' },
    distanceToGo: { column: 'distance_to_go', summary: 'stats' },
    velocity: { column: 'velocity', summary: 'stats' },
    acceleration: { column: 'acceleration', summary: 'stats' },
    homedFraction: { column: 'homed', summary: 'share' },
  },
};

const TOOL: SampleTable<ToolField> = {
  name: 'tool_samples',
  byAxis: false,
  quantities: {
    toolInUse: { column: 'tool_in_use', summary: 'last' },
    toolOffset: { column: 'tool_offset', summary: 'stats', optional: true },
    feedRate: { column: 'feed_rate', summary: 'stats', optional: true },
  },
};

/**
 * Settings for one bucketed statement only (SET LOCAL), measured over 900,000 samples:
 * with the default 4MB work_mem, 100 series × 300 buckets of every axis quantity are sorted
 * on disk; with 32MB they are hashed in memory (~20MB used), about twice as fast. JIT
 * compilation costs more than it saves on statements of a few hundred milliseconds.
 */
export const BUCKETING_SETTINGS = ["SET LOCAL work_mem = '32MB'", 'SET LOCAL jit = off'];

interface Key {
  machineId: number;
  axis?: string;
}

type Row = Record<string, unknown>;
type Columns = SeriesColumns & Record<string, unknown>;

/**
 * History straight from the partitioned sample tables (they have no entities). Every
 * statement bounds `ts` with timestamptz parameters, so PostgreSQL prunes the partitions
 * outside the window, and selects by (machine_id[, axis], ts), the primary key.
 * Identifiers in the SQL come from the tables above, never from the request.
 */
@Injectable()
export class SqlTelemetryHistory extends TelemetryHistoryReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  electrical(query: SeriesQuery<ElectricalField, number>): Promise<ElectricalColumns[]> {
    return this.read(
      ELECTRICAL,
      query.series.map((machineId) => ({ machineId })),
      query,
    );
  }

  axes(query: SeriesQuery<AxisField, AxisSeriesKey>): Promise<AxisColumns[]> {
    return this.read(AXIS, query.series, query);
  }

  tools(query: SeriesQuery<ToolField, number>): Promise<ToolColumns[]> {
    return this.read(
      TOOL,
      query.series.map((machineId) => ({ machineId })),
      query,
    );
  }

  private async read<F extends string>(
    table: SampleTable<F>,
    keys: readonly Key[],
    { plan, fields }: { plan: HistoryPlan; fields: readonly F[] },
  ): Promise<Columns[]> {
    const quantities = fields.map((field) => ({ field, ...table.quantities[field] }));
    const series = keys.map(() => emptyColumns(quantities, plan));
    if (!keys.length) return series;
    if (plan.mode === 'raw') await this.readRaw(table, keys, quantities, plan, series);
    else await this.readBuckets(table, keys, quantities, plan, series);
    return series;
  }

  private async readRaw(
    table: SampleTable<string>,
    keys: readonly Key[],
    quantities: readonly NamedQuantity[],
    plan: Extract<HistoryPlan, { mode: 'raw' }>,
    series: Columns[],
  ): Promise<void> {
    const params = [...keyParams(table, keys), plan.from, plan.to, plan.limit + 1];
    const rows = await this.dataSource.query<Row[]>(rawSql(table, quantities), params);
    for (const row of rows) appendRaw(series[(row.i as number) - 1], quantities, row);
    for (const columns of series) truncate(columns, quantities, plan.limit);
  }

  private async readBuckets(
    table: SampleTable<string>,
    keys: readonly Key[],
    quantities: readonly NamedQuantity[],
    plan: Extract<HistoryPlan, { mode: 'bucketed' }>,
    series: Columns[],
  ): Promise<void> {
    const machineIds = [...new Set(keys.map((k) => k.machineId))];
    const axes = table.byAxis ? [[...new Set(keys.map((k) => k.axis))]] : [];
    const params = [machineIds, ...axes, plan.from, plan.to, `${plan.bucketMs} milliseconds`];
    const rows = await this.dataSource.transaction(async (manager) => {
      for (const setting of BUCKETING_SETTINGS) await manager.query(setting);
      return manager.query<Row[]>(bucketedSql(table, quantities), params);
    });
    const index = new Map(keys.map((key, i) => [keyOf(key.machineId, key.axis), i]));
    for (const row of rows) {
      // Rows cover every machine × every axis asked; a machine's own axes may be fewer.
      const i = index.get(keyOf(row.machine_id as number, row.axis as string | undefined));
      if (i !== undefined) appendBucket(series[i], quantities, row);
    }
  }
}

type NamedQuantity = Quantity & { field: string };

function keyParams(table: SampleTable<string>, keys: readonly Key[]): unknown[] {
  const machineIds = keys.map((k) => k.machineId);
  return table.byAxis ? [machineIds, keys.map((k) => k.axis)] : [machineIds];
}

function keyOf(machineId: number, axis?: string): string {
  return axis === undefined ? String(machineId) : `${machineId}/${axis}`;
}

/**
 * Times leave the database as epoch milliseconds (float8): node-postgres parses a
 * timestamptz text many times slower than `new Date(ms)`, which weighs on 45,000 rows
 * (measured: about 100 ms of 300). The float is a hair off a whole millisecond, so it is
 * rounded (samples are stored with millisecond precision).
 */
const EPOCH_MS = (column: string) => `date_part('epoch', ${column}) * 1000`;
const dateOf = (epochMs: unknown) => new Date(Math.round(epochMs as number));

/**
 * The first `limit` + 1 samples of each series from `from`, one primary-key scan per series
 * (the extra sample says whether the series was truncated). The lateral subquery returns a
 * series in ts order and the nested loop keeps it; ORDER BY s.i rides on the ordinality, so
 * no sort runs over the whole answer.
 */
function rawSql(table: SampleTable<string>, quantities: readonly NamedQuantity[]): string {
  const values = quantities.map((q, i) => `, t.${q.column} AS v${i}`).join('');
  const n = table.byAxis ? 2 : 1;
  const series = table.byAxis
    ? 'unnest($1::int[], $2::bpchar[]) WITH ORDINALITY AS s(machine_id, axis, i)'
    : 'unnest($1::int[]) WITH ORDINALITY AS s(machine_id, i)';
  return `SELECT s.i::int AS i, x.*
    FROM ${series}
    CROSS JOIN LATERAL (
      SELECT ${EPOCH_MS('t.ts')} AS ts${values} FROM ${table.name} t
      WHERE t.machine_id = s.machine_id${table.byAxis ? ' AND t.axis = s.axis' : ''}
        AND t.ts >= $${n + 1}::timestamptz AND t.ts < $${n + 2}::timestamptz
      ORDER BY t.ts LIMIT $${n + 3}
    ) x
    ORDER BY s.i`;
}

/**
 * One row per series and bucket. `date_bin` aligns buckets to the epoch (see bucketCount).
 * The database sums, the service divides: sum/count is what avg(float8) computes, and a sum
 * costs less per row than avg's running state. The axis is grouped as "char" (one byte, no
 * collation) rather than char(1): measurably cheaper over 900,000 rows.
 */
function bucketedSql(table: SampleTable<string>, quantities: readonly NamedQuantity[]): string {
  const n = table.byAxis ? 2 : 1;
  const keys = table.byAxis ? 'machine_id, axis::"char" AS axis' : 'machine_id';
  const groups = table.byAxis ? '1, 2, 3' : '1, 2';
  const bucket = `date_bin($${n + 3}::interval, ts, TIMESTAMPTZ 'epoch')`;
  const summaries = quantities.map((q, i) => `, ${summarySql(q, `v${i}`)}`).join('');
  return `SELECT ${keys}, ${EPOCH_MS(bucket)} AS bucket, count(*)::int AS n${summaries}
    FROM ${table.name}
    WHERE machine_id = ANY($1::int[])${table.byAxis ? ' AND axis = ANY($2::bpchar[])' : ''}
      AND ts >= $${n + 1}::timestamptz AND ts < $${n + 2}::timestamptz
    GROUP BY ${groups}
    ORDER BY ${groups}`;
}

function summarySql({ column, summary, optional }: Quantity, alias: string): string {
  switch (summary) {
    case 'stats':
      return (
        `min(${column}) AS ${alias}_min, max(${column}) AS ${alias}_max, sum(${column}) AS ${alias}_sum` +
        (optional ? `, count(${column})::int AS ${alias}_n` : '')
      );
    case 'share':
      return `count(*) FILTER (WHERE ${column})::int AS ${alias}`;
    case 'last':
      return `(array_agg(${column} ORDER BY ts DESC) FILTER (WHERE ${column} IS NOT NULL))[1] AS ${alias}`;
  }
}

function emptyColumns(quantities: readonly NamedQuantity[], plan: HistoryPlan): Columns {
  const columns: Columns = { ts: [], count: [], truncated: false };
  for (const q of quantities) {
    // A raw sample is a bucket of one: min, max and avg share one list.
    const values: unknown[] = [];
    columns[q.field] =
      q.summary !== 'stats' ? [] : plan.mode === 'raw' ? { min: values, max: values, avg: values } : emptyStats();
  }
  return columns;
}

function emptyStats(): StatsColumns {
  return { min: [], max: [], avg: [] };
}

function appendRaw(columns: Columns, quantities: readonly NamedQuantity[], row: Row): void {
  columns.ts.push(dateOf(row.ts));
  columns.count.push(1);
  quantities.forEach((q, i) => {
    const value = row[`v${i}`];
    if (q.summary === 'stats') (columns[q.field] as StatsColumns).avg.push(value as number | null);
    else (columns[q.field] as unknown[]).push(q.summary === 'share' ? Number(value) : value);
  });
}

function appendBucket(columns: Columns, quantities: readonly NamedQuantity[], row: Row): void {
  const count = row.n as number;
  columns.ts.push(dateOf(row.bucket));
  columns.count.push(count);
  quantities.forEach((q, i) => {
    const alias = `v${i}`;
    if (q.summary === 'stats') {
      const stats = columns[q.field] as StatsColumns;
      const sum = row[`${alias}_sum`] as number | null;
      stats.min.push(row[`${alias}_min`] as number | null);
      stats.max.push(row[`${alias}_max`] as number | null);
      stats.avg.push(sum === null ? null : sum / (q.optional ? (row[`${alias}_n`] as number) : count));
    } else {
      const value = row[alias] as number | null;
      (columns[q.field] as unknown[]).push(q.summary === 'share' ? (value as number) / count : value);
    }
  });
}

/** Drops the sample beyond the limit (fetched only to know that there was more). */
function truncate(columns: Columns, quantities: readonly NamedQuantity[], limit: number): void {
  if (columns.ts.length <= limit) return;
  columns.truncated = true;
  columns.ts.length = limit;
  columns.count.length = limit;
  for (const q of quantities) {
    const values = columns[q.field];
    if (q.summary === 'stats') (values as StatsColumns).avg.length = limit;
    else (values as unknown[]).length = limit;
  }
}
