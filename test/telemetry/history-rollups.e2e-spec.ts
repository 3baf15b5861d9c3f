import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { MachinesService } from '../../src/machines/application/machines.service.js';
import { SampleStore } from '../../src/telemetry/application/ingestion.ports.js';
import {
  TelemetryHistoryReader,
  type AxisColumns,
  type ElectricalColumns,
} from '../../src/telemetry/application/telemetry-history.port.js';
import { planHistory } from '../../src/telemetry/domain/history-window.js';
import type { AxisSample, ElectricalSample } from '../../src/telemetry/domain/samples.js';
import { SqlTelemetryHistory } from '../../src/telemetry/infrastructure/sql-telemetry-history.js';
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

  beforeAll(async () => {
    t = await startTestApp();
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
    const store = t.app.get(SampleStore);
    // In batches of different sizes at once, then a replay overlapping them: stored once, counted once.
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < electrical.length; i += 37) writes.push(store.writeElectrical(electrical.slice(i, i + 37)));
    for (let i = 0; i < axisSamples.length; i += 250) writes.push(store.writeAxes(axisSamples.slice(i, i + 250)));
    await Promise.all(writes);
    const replayed = await Promise.all([
      store.writeElectrical(electrical.slice(100, 900)),
      store.writeAxes(axisSamples.slice(500, 3000)),
    ]);
    expect(replayed.map((rows) => rows.length)).toEqual([0, 0]);
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
