import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { MachinesService } from '../../src/machines/application/machines.service.js';
import { BatchWriterFactory } from '../../src/shared/database/batch-writer.factory.js';
import { AXIS_SAMPLES, ELECTRICAL_SAMPLES } from '../../src/telemetry/infrastructure/machine-samples.tables.js';
import {
  TelemetryHistoryReader,
  type AxisColumns,
  type ElectricalColumns,
} from '../../src/telemetry/application/telemetry-history.port.js';
import { planHistory } from '../../src/shared/ingestion/history-window.js';
import type { AxisSample, ElectricalSample } from '../../src/telemetry/domain/samples.js';
import { SqlTelemetryHistory } from '../../src/telemetry/infrastructure/telemetry-history.repository.js';
import { startTestApp, type TestApp } from '../harness/app.js';

/** A whole hour, so that minutes and seconds are aligned from here. */
const BASE = Date.parse('2026-11-18T08:00:00.000Z');
const SPAN_MS = 5 * 60_000;
const AXES = ['X', 'Y'] as const;

/** A deterministic generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/**
 * The history read from the per-second and per-minute rollups (kept as the samples are
 * stored) must equal the history read from the raw samples, bucket for bucket, for windows
 * whose edges cut through seconds and minutes and for samples written twice.
 */
describe('telemetry history from rollups', () => {
  let t: TestApp;
  let rollups: TelemetryHistoryReader;
  let raw: TelemetryHistoryReader;
  let machineIds: number[];
  let token: string;

  beforeAll(async () => {
    t = await startTestApp();
    token = await t.login();
    rollups = t.app.get(TelemetryHistoryReader);
    raw = new SqlTelemetryHistory(t.app.get(DataSource), { rollups: false });
    const machines = t.app.get(MachinesService);
    const axes = AXES.map((name) => ({ name, maxVelocity: 60, maxAcceleration: 200 }));
    machineIds = [];
    for (const code of ['R1', 'R2']) machineIds.push((await machines.create({ code, name: code, axes })).id);

    // Irregular times (10 Hz on average, a gap, a burst), values in 1/64ths so that every sum
    // is exact in floating point and averages can be compared for equality.
    const next = random(42);
    const value = () => Math.round((next() * 400 - 200) * 64) / 64;
    const electrical: ElectricalSample[] = [];
    const axisSamples: AxisSample[] = [];
    for (const machineId of machineIds)
      for (let ts = BASE + Math.floor(next() * 100); ts < BASE + SPAN_MS; ts += 1 + Math.floor(next() * 200)) {
        if (ts > BASE + 90_000 && ts < BASE + 150_000 && machineId === machineIds[1]) continue;
        electrical.push({ machineId, ts: new Date(ts), current: value(), voltage: value() });
        for (const axis of AXES) {
          const [actual, target] = [value(), value()];
          axisSamples.push({
            machineId,
            axis,
            ts: new Date(ts),
            actual,
            target,
            distanceToGo: target - actual,
            velocity: value(),
            acceleration: value(),
            homed: next() < 0.5,
          });
        }
      }
    // Through the ingestion path's batch writers, as MQTT messages would be written.
    const writers = t.app.get(BatchWriterFactory);
    const [electricalWriter, axisWriter] = [writers.create(ELECTRICAL_SAMPLES), writers.create(AXIS_SAMPLES)];
    // In batches of different sizes at once, then a replay overlapping them: stored once, counted once.
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < electrical.length; i += 37) writes.push(electricalWriter.write(electrical.slice(i, i + 37)));
    for (let i = 0; i < axisSamples.length; i += 250) writes.push(axisWriter.write(axisSamples.slice(i, i + 250)));
    await Promise.all(writes);
    const replayed = await Promise.all([
      electricalWriter.write(electrical.slice(100, 900)),
      axisWriter.write(axisSamples.slice(500, 3000)),
    ]);
    expect(replayed.map((result) => result.inserted)).toEqual([0, 0]);
  });
  afterAll(() => t.close());

  const windows: Array<[string, number, number, number]> = [
    // [what, from, to (ms after BASE), bucket width (s)]
    ['aligned window, 1 s buckets', 0, SPAN_MS, 1],
    ['edges inside seconds, 3 s buckets', 1234, SPAN_MS - 4321, 3],
    ['edges inside minutes, 2 min buckets', 61_500, SPAN_MS - 30_250, 120],
    ['a window inside one second', 2100, 2900, 1],
    ['edges inside seconds, 1 min buckets', 59_999, 240_001, 60],
    ['sub-second buckets (raw both ways)', 10_000, 20_000, 0.5],
  ];

  it.each(windows)('axis history: %s', async (_, from, to, bucketSeconds) => {
    const plan = planHistory({ from: new Date(BASE + from), to: new Date(BASE + to), bucketSeconds }, new Date());
    const series = machineIds.flatMap((machineId) => AXES.map((axis) => ({ machineId, axis })));
    const fields = ['actual', 'target', 'distanceToGo', 'velocity', 'acceleration', 'homedFraction'] as const;
    const fromRollups = await rollups.axes({ series, plan, fields });
    const fromRaw = await raw.axes({ series, plan, fields });
    expect(fromRollups).toEqual(fromRaw);
    expect(totalCount(fromRaw)).toBeGreaterThan(0);
  });

  it.each(windows)('electrical history: %s', async (_, from, to, bucketSeconds) => {
    const plan = planHistory({ from: new Date(BASE + from), to: new Date(BASE + to), bucketSeconds }, new Date());
    const query = { series: machineIds, plan, fields: ['current', 'voltage'] as const };
    const fromRollups = await rollups.electrical(query);
    expect(fromRollups).toEqual(await raw.electrical(query));
    expect(totalCount(fromRollups)).toBeGreaterThan(0);
  });

  /**
   * The reference: buckets computed straight from the samples by PostgreSQL's own aggregates,
   * independently of the history reader, as the compact columns of a series give them.
   */
  async function reference(
    table: 'axis' | 'electrical',
    quantities: string[],
    from: number,
    to: number,
    width: number,
  ) {
    const axis = table === 'axis' ? ', axis' : '';
    const rows = await t.db.query<Record<string, number | string>>(
      `SELECT machine_id${axis}, (extract(epoch FROM date_bin($1::interval, ts, TIMESTAMPTZ 'epoch')) * 1000)::float8 AS t,
         count(*)::int AS n${table === 'axis' ? ', (count(*) FILTER (WHERE homed))::int AS homed' : ''}
         ${quantities.map((q) => `, min(${q}) AS ${q}_min, max(${q}) AS ${q}_max, avg(${q}) AS ${q}_avg`).join('')}
       FROM ${table}_samples WHERE machine_id = ANY($2::int[]) AND ts >= $3 AND ts < $4
       GROUP BY 1${axis ? ', 2' : ''}, t ORDER BY 1${axis ? ', 2' : ''}, t`,
      [`${width * 1000} milliseconds`, machineIds, new Date(BASE + from), new Date(BASE + to)],
    );
    const series = new Map<string, Record<string, any>>();
    for (const row of rows) {
      const key = `${row.machine_id}${row.axis ?? ''}`;
      if (!series.has(key)) {
        const columns: Record<string, any> = { t: [], count: [] };
        for (const q of quantities) columns[q] = { min: [], max: [], avg: [] };
        if (axis) columns.homedFraction = [];
        series.set(key, columns);
      }
      const columns = series.get(key)!;
      columns.t.push(row.t);
      columns.count.push(row.n);
      for (const q of quantities) for (const stat of ['min', 'max', 'avg']) columns[q][stat].push(row[`${q}_${stat}`]);
      if (axis) columns.homedFraction.push((row.homed as number) / (row.n as number));
    }
    return series;
  }

  const camel = (column: string) => column.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

  it.each(windows)(
    'compact axis history over GraphQL equals the samples aggregated: %s',
    async (_, from, to, width) => {
      const columns = ['actual', 'target', 'distance_to_go', 'velocity', 'acceleration'];
      const { data, errors } = await t.graphql(
        `query($codes: [String!]!, $from: DateTime, $to: DateTime, $bucketSeconds: Float) {
        axisHistoryCompact(machineCodes: $codes, axes: [X, Y], from: $from, to: $to, bucketSeconds: $bucketSeconds) {
          series { t count ${columns.map((c) => `${camel(c)} { min max avg }`).join(' ')} homedFraction }
        }
      }`,
        { codes: ['R1', 'R2'], from: new Date(BASE + from), to: new Date(BASE + to), bucketSeconds: width },
        token,
      );
      expect(errors).toBeUndefined();
      const expected = await reference('axis', columns, from, to, width);
      expect(expected.size).toBeGreaterThan(0);
      const keys = machineIds.flatMap((id) => AXES.map((axis) => `${id}${axis}`));
      expect(data!.axisHistoryCompact.series).toEqual(
        keys.map((key) => {
          const { t: times = [], count = [], homedFraction = [], ...stats } = expected.get(key) ?? {};
          const named = Object.fromEntries(columns.map((c) => [camel(c), stats[c] ?? { min: [], max: [], avg: [] }]));
          return { t: times, count, ...named, homedFraction };
        }),
      );
    },
  );

  it.each(windows)(
    'compact electrical history over GraphQL equals the samples aggregated: %s',
    async (_, from, to, width) => {
      const { data, errors } = await t.graphql(
        `query($codes: [String!]!, $from: DateTime, $to: DateTime, $bucketSeconds: Float) {
        electricalHistoryCompact(machineCodes: $codes, from: $from, to: $to, bucketSeconds: $bucketSeconds) {
          series { t count current { min max avg } voltage { min max avg } }
        }
      }`,
        { codes: ['R1', 'R2'], from: new Date(BASE + from), to: new Date(BASE + to), bucketSeconds: width },
        token,
      );
      expect(errors).toBeUndefined();
      const expected = await reference('electrical', ['current', 'voltage'], from, to, width);
      expect(expected.size).toBeGreaterThan(0);
      expect(data!.electricalHistoryCompact.series).toEqual(machineIds.map((id) => expected.get(`${id}`)));
    },
  );

  it('computes only the min/max/avg asked for, each as with all of them', async () => {
    const plan = planHistory(
      { from: new Date(BASE + 1234), to: new Date(BASE + SPAN_MS), bucketSeconds: 3 },
      new Date(),
    );
    const series = machineIds.flatMap((machineId) => AXES.map((axis) => ({ machineId, axis })));
    const all = await rollups.axes({ series, plan, fields: ['actual', 'homedFraction'] });
    const avgOnly = await rollups.axes({ series, plan, fields: ['actual', 'homedFraction'], stats: ['avg'] });
    const extremes = await rollups.axes({ series, plan, fields: ['actual'], stats: ['min', 'max'] });
    expect(avgOnly).toEqual(all.map((s) => ({ ...s, actual: { min: [], max: [], avg: s.actual!.avg } })));
    expect(extremes).toEqual(
      all.map(({ homedFraction: _, ...s }) => ({ ...s, actual: { min: s.actual!.min, max: s.actual!.max, avg: [] } })),
    );
  });

  it('gives the same series when they are split over two statements, in the order asked', async () => {
    const split = new SqlTelemetryHistory(t.app.get(DataSource), { rollups: true, parallelFromSeries: 2 });
    const plan = planHistory(
      { from: new Date(BASE + 1234), to: new Date(BASE + SPAN_MS), bucketSeconds: 3 },
      new Date(),
    );
    const series = [...machineIds].reverse().flatMap((machineId) => AXES.map((axis) => ({ machineId, axis })));
    const fields = ['actual', 'homedFraction'] as const;
    for (const asked of [series, series.slice(0, 3)]) {
      const [whole, halves] = await Promise.all([
        rollups.axes({ series: asked, plan, fields }),
        split.axes({ series: asked, plan, fields }),
      ]);
      expect(halves).toEqual(whole);
      expect(new Set(whole.map((s) => s.actual!.avg.join()))).toHaveProperty('size', asked.length);
    }
  });

  it('keeps one rollup row per period with every stored sample counted once', async () => {
    const [samples] = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM axis_samples');
    for (const table of ['axis_rollup_1s', 'axis_rollup_1m']) {
      const [rolled] = await t.db.query<{ n: number }>(`SELECT sum(n)::int AS n FROM ${table}`);
      expect(rolled.n).toBe(samples.n);
    }
  });

  it('summarises samples inserted by any statement, e.g. a bulk load', async () => {
    const [machineId] = machineIds;
    await t.db.query(
      `INSERT INTO electrical_samples (machine_id, ts, current, voltage)
       SELECT $1::int, $2::timestamptz + k * interval '250 ms', k, 2 * k FROM generate_series(0, 7) AS k`,
      [machineId, new Date(BASE + SPAN_MS + 60_000)],
    );
    const plan = planHistory(
      { from: new Date(BASE + SPAN_MS + 60_000), to: new Date(BASE + SPAN_MS + 62_000), bucketSeconds: 1 },
      new Date(),
    );
    const [series] = await rollups.electrical({ series: [machineId], plan, fields: ['current'] });
    expect(series).toMatchObject({ count: [4, 4], current: { min: [0, 4], max: [3, 7], avg: [1.5, 5.5] } });
  });
});

function totalCount(series: Array<AxisColumns | ElectricalColumns>): number {
  return series.reduce((sum, s) => sum + s.count.reduce((a, b) => a + b, 0), 0);
}
