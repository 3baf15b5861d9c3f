import { Injectable, type Provider } from '@nestjs/common';
import { getDataSourceToken, InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { HistoryPlan } from '../domain/history-window.js';
import { historyTiles, type Tile } from '../domain/history-tiles.js';
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

/** A rollup level of a sample table: count/min/max/sum (count of true for shares) per period. */
interface Rollup {
  name: string;
  periodMs: number;
}

interface SampleTable<F extends string> {
  name: string;
  byAxis: boolean;
  quantities: Record<F, Quantity>;
  /** Coarsest first; kept by a trigger on the sample table (migration TelemetryRollups). */
  rollups: readonly Rollup[];
}

const rollupsOf = (kind: string): Rollup[] => [
  { name: `${kind}_rollup_1m`, periodMs: 60_000 },
  { name: `${kind}_rollup_1s`, periodMs: 1000 },
];

const ELECTRICAL: SampleTable<ElectricalField> = {
  name: 'electrical_samples',
  byAxis: false,
  quantities: { current: { column: 'current', summary: 'stats' }, voltage: { column: 'voltage', summary: 'stats' } },
  rollups: rollupsOf('electrical'),
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
  rollups: rollupsOf('axis'),
};

const TOOL: SampleTable<ToolField> = {
  name: 'tool_samples',
  byAxis: false,
  quantities: {
    toolInUse: { column: 'tool_in_use', summary: 'last' },
    toolOffset: { column: 'tool_offset', summary: 'stats', optional: true },
    feedRate: { column: 'feed_rate', summary: 'stats', optional: true },
  },
  // Tool data comes at a few samples per minute: its raw samples are few enough.
  rollups: [],
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
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    /** Off: every bucket from the raw samples (the tests compare both ways). */
    private readonly options: { rollups: boolean } = { rollups: true },
  ) {
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
    const tiles = historyTiles(
      plan.from,
      plan.to,
      plan.bucketMs,
      this.options.rollups ? table.rollups.map((r) => r.periodMs) : [],
    );
    const bounds = tiles.flatMap((tile) => [tile.from, tile.to]);
    const params = [...keyParams(table, keys), `${plan.bucketMs} milliseconds`, ...bounds];
    const rows = await this.dataSource.transaction(async (manager) => {
      for (const setting of BUCKETING_SETTINGS) await manager.query(setting);
      return manager.query<Array<{ i: number; buckets: string }>>(bucketedSql(table, quantities, tiles), params);
    });
    for (const { i, buckets } of rows)
      for (const bucket of JSON.parse(buckets) as unknown[][]) appendBucket(series[i - 1], quantities, bucket);
  }
}

/** The port's binding, reading rollups where they serve. */
export const TELEMETRY_HISTORY_READER: Provider = {
  provide: TelemetryHistoryReader,
  useFactory: (dataSource: DataSource) => new SqlTelemetryHistory(dataSource),
  inject: [getDataSourceToken()],
};

type NamedQuantity = Quantity & { field: string };

function keyParams(table: SampleTable<string>, keys: readonly Key[]): unknown[] {
  const machineIds = keys.map((k) => k.machineId);
  return table.byAxis ? [machineIds, keys.map((k) => k.axis)] : [machineIds];
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
 * One row per series: its buckets as one JSON array of [start ms, count, summaries…] in time
 * order (node-postgres parses thousands of rows of numbers as text many times slower than
 * JSON.parse reads them). `date_bin` aligns buckets to the epoch (see bucketCount). The
 * tiles (see historyTiles) are read from rollups or raw samples, each summarised the same
 * way, and merged per bucket: counts and sums add up, minimum and maximum widen. The
 * database sums, the service divides: sum/count is what avg(float8) computes.
 */
function bucketedSql(table: SampleTable<string>, quantities: readonly NamedQuantity[], tiles: readonly Tile[]): string {
  const n = table.byAxis ? 2 : 1;
  const series = table.byAxis
    ? 'unnest($1::int[], $2::bpchar[]) WITH ORDINALITY AS s(machine_id, axis, i)'
    : 'unnest($1::int[]) WITH ORDINALITY AS s(machine_id, i)';
  const keys = `p.machine_id = s.machine_id${table.byAxis ? ' AND p.axis = s.axis' : ''}`;
  const parts = tiles.map((tile, t) => {
    const source = tile.source === 'raw' ? undefined : table.rollups[tile.source];
    const columns = quantities.map((q, i) => tileColumns(q, `v${i}`, source !== undefined)).join('');
    return `SELECT machine_id${table.byAxis ? ', axis' : ''}, ts, ${source ? 'n' : '1'} AS n${columns}
      FROM ${source?.name ?? table.name}
      WHERE machine_id = ANY($1::int[])${table.byAxis ? ' AND axis = ANY($2::bpchar[])' : ''}
        AND ts >= $${n + 2 + 2 * t}::timestamptz AND ts < $${n + 3 + 2 * t}::timestamptz`;
  });
  const summaries = quantities.map((q, i) => summarySql(q, `v${i}`)).join('');
  const values = quantities
    .map((q, i) =>
      summaryNames(q, `v${i}`)
        .map((name) => `, b.${name}`)
        .join(''),
    )
    .join('');
  return `SELECT b.i::int AS i, json_agg(json_build_array(${EPOCH_MS('b.bucket')}, b.n${values}) ORDER BY b.bucket)::text AS buckets
    FROM (
      SELECT s.i, date_bin($${n + 1}::interval, p.ts, TIMESTAMPTZ 'epoch') AS bucket, sum(p.n)::int AS n${summaries}
      FROM ${series} JOIN (${parts.join('\n      UNION ALL ')}) p ON ${keys}
      GROUP BY 1, 2
    ) b
    GROUP BY b.i`;
}

/** What a tile gives per quantity: a sample is a period of one. */
function tileColumns({ column, summary, optional }: Quantity, alias: string, rollup: boolean): string {
  switch (summary) {
    case 'stats':
      return rollup
        ? `, ${column}_min AS ${alias}_min, ${column}_max AS ${alias}_max, ${column}_sum AS ${alias}_sum`
        : `, ${column} AS ${alias}_min, ${column} AS ${alias}_max, ${column} AS ${alias}_sum` +
            (optional ? `, (${column} IS NOT NULL)::int AS ${alias}_n` : '');
    case 'share':
      return rollup ? `, ${column} AS ${alias}` : `, ${column}::int AS ${alias}`;
    case 'last':
      if (rollup) throw new Error(`${column}: a last value is not kept in rollups`);
      return `, ${column} AS ${alias}`;
  }
}

function summarySql({ summary, optional }: Quantity, alias: string): string {
  switch (summary) {
    case 'stats':
      return (
        `, min(p.${alias}_min) AS ${alias}_min, max(p.${alias}_max) AS ${alias}_max, sum(p.${alias}_sum) AS ${alias}_sum` +
        (optional ? `, sum(p.${alias}_n)::int AS ${alias}_n` : '')
      );
    case 'share':
      return `, sum(p.${alias})::int AS ${alias}`;
    case 'last':
      return `, (array_agg(p.${alias} ORDER BY p.ts DESC) FILTER (WHERE p.${alias} IS NOT NULL))[1] AS ${alias}`;
  }
}

/** The summaries of a quantity in a bucket, in the order appendBucket reads them. */
function summaryNames({ summary, optional }: Quantity, alias: string): string[] {
  if (summary !== 'stats') return [alias];
  return [`${alias}_min`, `${alias}_max`, `${alias}_sum`, ...(optional ? [`${alias}_n`] : [])];
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

/** One bucket as bucketedSql gives it: [start ms, count, then each quantity's summaries]. */
function appendBucket(columns: Columns, quantities: readonly NamedQuantity[], bucket: unknown[]): void {
  const count = bucket[1] as number;
  columns.ts.push(dateOf(bucket[0]));
  columns.count.push(count);
  let k = 2;
  for (const q of quantities) {
    if (q.summary === 'stats') {
      const stats = columns[q.field] as StatsColumns;
      const min = numberOf(bucket[k++]);
      const max = numberOf(bucket[k++]);
      const sum = numberOf(bucket[k++]);
      const n = q.optional ? (bucket[k++] as number) : count;
      stats.min.push(min);
      stats.max.push(max);
      stats.avg.push(sum === null ? null : sum / n);
    } else {
      const value = numberOf(bucket[k++]);
      (columns[q.field] as unknown[]).push(q.summary === 'share' ? (value as number) / count : value);
    }
  }
}

/** JSON has no NaN or infinities: PostgreSQL writes them as strings. */
function numberOf(value: unknown): number | null {
  return typeof value === 'string' ? Number(value) : (value as number | null);
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
