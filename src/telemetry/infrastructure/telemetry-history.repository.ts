import { Injectable, type Provider } from '@nestjs/common';
import { getDataSourceToken, InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { HistoryPlan } from '../../shared/ingestion/history-window.js';
import { historyTiles, type Tile } from '../domain/history-tiles.js';
import {
  STAT_NAMES,
  TelemetryHistoryReader,
  type AxisColumns,
  type AxisField,
  type AxisSeriesKey,
  type ElectricalColumns,
  type ElectricalField,
  type SeriesColumns,
  type SeriesQuery,
  type StatName,
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
 * Settings for one bucketed statement only (SET LOCAL). Each series' periods are sorted
 * apart: a long window (31 days of per-minute rollups, ~45,000 rows of every axis quantity)
 * outgrows the default 4MB work_mem and would sort on disk. JIT compilation costs more than
 * it saves on statements of tens of milliseconds (measured: about 30 ms more on 100 series × 300
 * buckets from the per-second rollup, whose estimated cost is above jit_above_cost).
 */
export const BUCKETING_SETTINGS = ["SET LOCAL work_mem = '32MB'", 'SET LOCAL jit = off'];

/**
 * Series from which a bucketed read is split in two statements run at once: measured on 100
 * series × 300 buckets from the per-second rollup, two statements take about half the time
 * of one when two cores are free. Below, a statement is a few milliseconds.
 */
const PARALLEL_FROM_SERIES = 16;

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
    private readonly options: {
      /** Off: every bucket from the raw samples (the tests compare both ways). */
      rollups: boolean;
      /** From this many series a bucketed read is two statements at once (tests lower it). */
      parallelFromSeries?: number;
    } = { rollups: true },
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
    { plan, fields, stats = STAT_NAMES }: { plan: HistoryPlan; fields: readonly F[]; stats?: readonly StatName[] },
  ): Promise<Columns[]> {
    const quantities = fields.map((field) => ({ field, ...table.quantities[field] }));
    const series = keys.map(() => emptyColumns(quantities, plan));
    if (!keys.length) return series;
    if (plan.mode === 'raw') await this.readRaw(table, keys, quantities, plan, series);
    else await this.readBuckets(table, keys, quantities, plan, new Set(stats), series);
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

  /**
   * One statement computes the series one after the other, on one core of the server: from
   * PARALLEL_FROM_SERIES series on, each half of them is computed by a statement of its own,
   * on a connection of its own, at the same time.
   */
  private async readBuckets(
    table: SampleTable<string>,
    keys: readonly Key[],
    quantities: readonly NamedQuantity[],
    plan: Extract<HistoryPlan, { mode: 'bucketed' }>,
    stats: ReadonlySet<StatName>,
    series: Columns[],
  ): Promise<void> {
    const tiles = historyTiles(
      plan.from,
      plan.to,
      plan.bucketMs,
      this.options.rollups ? table.rollups.map((r) => r.periodMs) : [],
    );
    const sql = bucketedSql(table, quantities, tiles, stats);
    const bounds = tiles.flatMap((tile) => [tile.from, tile.to]);
    const parallel = keys.length >= (this.options.parallelFromSeries ?? PARALLEL_FROM_SERIES);
    const half = parallel ? Math.ceil(keys.length / 2) : keys.length;
    const parts = [0, half].filter((start) => start < keys.length);
    await Promise.all(
      parts.map(async (start) => {
        const part = keys.slice(start, start + half);
        const params = [...keyParams(table, part), `${plan.bucketMs} milliseconds`, ...bounds];
        const rows = await this.dataSource.transaction(async (manager) => {
          for (const setting of BUCKETING_SETTINGS) await manager.query(setting);
          return manager.query<Array<{ i: number; columns: string }>>(sql, params);
        });
        for (const { i, columns } of rows)
          setBuckets(series[start + i - 1], quantities, stats, JSON.parse(columns) as BucketColumns);
      }),
    );
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
 * One row per series: its buckets as one JSON array of columns, [bucket starts (epoch ms),
 * counts, then each quantity's summaries] (node-postgres parses thousands of rows of numbers
 * as text many times slower than JSON.parse reads them). `date_bin` aligns buckets to the
 * epoch (see bucketCount). The tiles (see historyTiles) are read from rollups or raw samples,
 * each summarised the same way, and merged per bucket: counts and sums add up, minimum and
 * maximum widen. The database sums, the service divides: sum/count is what avg(float8)
 * computes. Each series is a primary-key range scan of its own, whose few hundred buckets are
 * sorted and grouped apart (measured on 100 series × 900 per-second rows: about 60 ms, against
 * 90 ms hashing and sorting them all together); array_agg takes them in the order of the
 * subquery's ORDER BY, as PostgreSQL does for a plain aggregate over a sorted subquery.
 */
function bucketedSql(
  table: SampleTable<string>,
  quantities: readonly NamedQuantity[],
  tiles: readonly Tile[],
  stats: ReadonlySet<StatName>,
): string {
  const n = table.byAxis ? 2 : 1;
  const series = table.byAxis
    ? 'unnest($1::int[], $2::bpchar[]) WITH ORDINALITY AS s(machine_id, axis, i)'
    : 'unnest($1::int[]) WITH ORDINALITY AS s(machine_id, i)';
  const keys = `machine_id = s.machine_id${table.byAxis ? ' AND axis = s.axis' : ''}`;
  const parts = tiles.map((tile, t) => {
    const source = tile.source === 'raw' ? undefined : table.rollups[tile.source];
    const columns = quantities.map((q, i) => tileColumns(q, `v${i}`, source !== undefined, stats)).join('');
    return `SELECT ts, ${source ? 'n' : '1'} AS n${columns} FROM ${source?.name ?? table.name}
          WHERE ${keys} AND ts >= $${n + 2 + 2 * t}::timestamptz AND ts < $${n + 3 + 2 * t}::timestamptz`;
  });
  const summaries = quantities.map((q, i) => summarySql(q, `v${i}`, stats)).join('');
  const columns = quantities
    .flatMap((q, i) => summaryNames(q, `v${i}`, stats))
    .map((name) => `, array_agg(b.${name})`)
    .join('');
  return `SELECT s.i::int AS i, x.columns
    FROM ${series}
    CROSS JOIN LATERAL (
      SELECT json_build_array(array_agg(${EPOCH_MS('b.bucket')}), array_agg(b.n)${columns})::text AS columns
      FROM (
        SELECT date_bin($${n + 1}::interval, p.ts, TIMESTAMPTZ 'epoch') AS bucket, sum(p.n)::int AS n${summaries}
        FROM (${parts.join('\n        UNION ALL ')}) p
        GROUP BY 1 ORDER BY 1
      ) b
    ) x`;
}

/** What a tile gives per quantity (only the summaries asked for): a sample is a period of one. */
function tileColumns(
  { column, summary, optional }: Quantity,
  alias: string,
  rollup: boolean,
  stats: ReadonlySet<StatName>,
): string {
  switch (summary) {
    case 'stats':
      return keptOf(stats, optional)
        .map((kept) =>
          kept === 'n'
            ? `, (${column} IS NOT NULL)::int AS ${alias}_n`
            : `, ${column}${rollup ? `_${kept}` : ''} AS ${alias}_${kept}`,
        )
        .join('');
    case 'share':
      return rollup ? `, ${column} AS ${alias}` : `, ${column}::int AS ${alias}`;
    case 'last':
      if (rollup) throw new Error(`${column}: a last value is not kept in rollups`);
      return `, ${column} AS ${alias}`;
  }
}

/** What is kept of a stats quantity per bucket: min, max, and for avg the sum (and count, if optional). */
type Kept = 'min' | 'max' | 'sum' | 'n';
/** How two tiles' summaries of one bucket merge. */
const MERGE: Record<Kept, string> = { min: 'min', max: 'max', sum: 'sum', n: 'sum' };

function keptOf(stats: ReadonlySet<StatName>, optional = false): Kept[] {
  const kept: Kept[] = [];
  if (stats.has('min')) kept.push('min');
  if (stats.has('max')) kept.push('max');
  if (stats.has('avg')) kept.push('sum', ...(optional ? (['n'] as const) : []));
  return kept;
}

function summarySql({ summary, optional }: Quantity, alias: string, stats: ReadonlySet<StatName>): string {
  switch (summary) {
    case 'stats':
      return keptOf(stats, optional)
        .map((kept) => `, ${MERGE[kept]}(p.${alias}_${kept})${kept === 'n' ? '::int' : ''} AS ${alias}_${kept}`)
        .join('');
    case 'share':
      return `, sum(p.${alias})::int AS ${alias}`;
    case 'last':
      return `, (array_agg(p.${alias} ORDER BY p.ts DESC) FILTER (WHERE p.${alias} IS NOT NULL))[1] AS ${alias}`;
  }
}

/** The summaries of a quantity in a bucket, in the order setBuckets reads them. */
function summaryNames({ summary, optional }: Quantity, alias: string, stats: ReadonlySet<StatName>): string[] {
  if (summary !== 'stats') return [alias];
  return keptOf(stats, optional).map((kept) => `${alias}_${kept}`);
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

/** A series as bucketedSql gives it: bucket starts, counts, then each quantity's summaries; nulls when empty. */
type BucketColumns = Array<unknown[] | null>;

function setBuckets(
  columns: Columns,
  quantities: readonly NamedQuantity[],
  stats: ReadonlySet<StatName>,
  [starts, counts, ...summaries]: BucketColumns,
): void {
  if (!starts || !counts) return;
  const count = counts as number[];
  columns.ts = starts.map(dateOf);
  columns.count = count;
  let k = 0;
  for (const q of quantities) {
    if (q.summary !== 'stats') {
      const values = numbersOf(summaries[k++]!);
      columns[q.field] = q.summary === 'share' ? values.map((value, j) => (value as number) / count[j]) : values;
      continue;
    }
    const target = columns[q.field] as StatsColumns;
    if (stats.has('min')) target.min = numbersOf(summaries[k++]!);
    if (stats.has('max')) target.max = numbersOf(summaries[k++]!);
    if (stats.has('avg')) {
      const sums = numbersOf(summaries[k++]!);
      const n = q.optional ? (summaries[k++] as number[]) : count;
      target.avg = sums.map((sum, j) => (sum === null ? null : sum / n[j]));
    }
  }
}

/** JSON has no NaN or infinities: PostgreSQL writes them as strings. In place. */
function numbersOf(values: unknown[]): (number | null)[] {
  for (let j = 0; j < values.length; j++) if (typeof values[j] === 'string') values[j] = Number(values[j]);
  return values as (number | null)[];
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
