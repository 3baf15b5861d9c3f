import { describe, expect, it } from '@jest/globals';
import { AnomalyScorer, anomalySettings, PreparedBaseline } from '../leak-detection/domain/anomaly-scoring.js';
import type { AnomalyLevel } from '../leak-detection/domain/anomaly-level.js';
import { parseSeaCurrentsCsv } from '../leak-detection/domain/sea-currents.js';
import { seedBaseline } from '../leak-detection/domain/seed-baselines.js';
import { decodeSensorTag } from '../leak-detection/domain/field-tags.js';
import {
  DEFAULT_PLANTED_LEAK,
  LEAK_SITES,
  NORMAL_DAYS,
  plantedLeakPpmv,
  READINGS_PER_DAY,
  TIDAL_CURRENT_ROWS,
  tidalCurrentsCsv,
} from './gas-sensors.js';
import { PlantSimulator } from './plant-simulator.js';
import { SimulatorOptionsError } from './simulator-options.js';

const T0 = Date.UTC(2026, 0, 5, 6, 0, 0);
const INTERVAL_MS = 1_000;
const NO_MACHINES = { cncCount: 0, weldingCount: 0, boardCount: 0 };
/** What the service gives a new sensor (seed `high`) with the default window. */
const BASELINE = PreparedBaseline.prepare(seedBaseline('high').values, 144);

/** Each gas sensor's readings over `readings` intervals, as the simulator publishes them. */
function simulatedSeries(readings: number, sites = LEAK_SITES.length): Map<string, number[]> {
  const sut = new PlantSimulator({
    ...NO_MACHINES,
    startTime: T0,
    leakSiteCount: sites,
    leakReadingIntervalMs: INTERVAL_MS,
  });
  const series = new Map<string, number[]>();
  for (const message of sut.advanceTo(T0 + (readings - 1) * INTERVAL_MS)) {
    if (message.kind !== 'ppmv') throw new Error(`unexpected ${message.kind}`);
    series.set(message.code, [...(series.get(message.code) ?? []), message.payload.ppmv]);
  }
  return series;
}

function levelsOf(series: number[]): AnomalyLevel[] {
  const scorer = AnomalyScorer.start(BASELINE, anomalySettings({ windowSize: 144 }));
  return series.map((ppmv) => scorer.score(ppmv).level);
}

/** The levels in the order they first appear, and the reading at which each first appears. */
function firstAppearances(levels: AnomalyLevel[]): [AnomalyLevel, number][] {
  const seen = new Map<AnomalyLevel, number>();
  levels.forEach((level, n) => seen.has(level) || seen.set(level, n));
  return [...seen.entries()];
}

describe('simulated gas sensors', () => {
  const first = DEFAULT_PLANTED_LEAK.firstAt;
  const series = simulatedSeries(first + DEFAULT_PLANTED_LEAK.every);
  const leaking = LEAK_SITES.flatMap((site) => site.sensors.filter((s) => s.leaks).map((s) => s.name));
  const quiet = LEAK_SITES.flatMap((site) => site.sensors.filter((s) => !s.leaks).map((s) => s.name));

  it('publish {ts, ppmv} on plant/sensors/{sensorName}/ppmv, one reading per interval (PROTOCOLS.md A)', () => {
    const sut = new PlantSimulator({ ...NO_MACHINES, startTime: T0, leakSiteCount: 1, leakReadingIntervalMs: 500 });
    const messages = sut.advanceTo(T0 + 1_000);
    const names = LEAK_SITES[0].sensors.map((s) => s.name);
    expect(messages.map((m) => m.topic)).toEqual(
      [0, 1, 2].flatMap(() => names.map((name) => `plant/sensors/${name}/ppmv`)),
    );
    expect(messages.map((m) => (m.payload as { ts: number }).ts)).toEqual(
      [T0, T0 + 500, T0 + 1_000].flatMap((ts) => names.map(() => ts)),
    );
    for (const message of messages) {
      expect(Object.keys(message.payload).sort()).toEqual(['ppmv', 'ts']);
      expect((message.payload as { ppmv: number }).ppmv).toBeGreaterThan(0);
    }
  });

  it('on the seeded high baseline with window 144: UNDEFINED → OK → WARNING → CRITICAL within minutes', () => {
    for (const name of leaking) {
      const appearances = firstAppearances(levelsOf(series.get(name)!));
      expect(appearances.map(([level]) => level)).toEqual(['UNDEFINED', 'OK', 'WARNING', 'CRITICAL']);
      const [, , [, warningAt], [, criticalAt]] = appearances;
      // A warm-up day, a few OK readings, then the rise: about 4 minutes at one reading a second.
      expect(warningAt).toBeGreaterThan(first);
      expect(criticalAt).toBeLessThan(first + DEFAULT_PLANTED_LEAK.rampReadings + DEFAULT_PLANTED_LEAK.holdReadings);
      expect((criticalAt * INTERVAL_MS) / 60_000).toBeLessThan(5);
    }
  });

  it('return to OK after the leak, and the next one is planted again', () => {
    const longer = simulatedSeries(first + DEFAULT_PLANTED_LEAK.every + 150, 1).get(leaking[0])!;
    const levels = levelsOf(longer);
    const next = first + DEFAULT_PLANTED_LEAK.every;
    expect(levels.slice(next - 150, next)).toEqual(Array(150).fill('OK'));
    expect(levels.slice(next)).toContain('CRITICAL');
  });

  it('without a planted leak stay OK for the whole normal loop and past its turns', () => {
    const days = 2 * NORMAL_DAYS + 2;
    const sut = simulatedSeries(days * READINGS_PER_DAY, 1);
    for (const name of quiet.filter((n) => sut.has(n))) {
      const levels = levelsOf(sut.get(name)!);
      expect(levels.slice(0, 144)).toEqual(Array(144).fill('UNDEFINED'));
      expect(new Set(levels.slice(144))).toEqual(new Set(['OK']));
    }
  });

  it('read differently from one another', () => {
    const firstReadings = [...series.values()].map((s) => s.slice(0, 10).join());
    expect(new Set(firstReadings).size).toBe(series.size);
  });

  it('carry tags that decode on their field, unique across sites', () => {
    const names = LEAK_SITES.flatMap((site) => site.sensors.map((s) => s.name));
    expect(new Set(names).size).toBe(names.length);
    for (const site of LEAK_SITES)
      for (const sensor of site.sensors)
        expect(decodeSensorTag(site.field === 'Snorre' ? 'SNORRE' : 'TRESTAKK', sensor.name)).toMatchObject({
          decodable: true,
        });
  });

  it('plant a leak that rises smoothly from nothing to a plateau, and ends', () => {
    const rise = Array.from({ length: DEFAULT_PLANTED_LEAK.rampReadings }, (_, k) =>
      plantedLeakPpmv(DEFAULT_PLANTED_LEAK, first + k),
    );
    expect(plantedLeakPpmv(DEFAULT_PLANTED_LEAK, first - 1)).toBe(0);
    expect(rise[0]).toBe(0);
    // Smooth: no jump of more than a tenth of the plateau between two readings (the tide swings it a little).
    for (let k = 1; k < rise.length; k++)
      expect(Math.abs(rise[k] - rise[k - 1])).toBeLessThan(DEFAULT_PLANTED_LEAK.amplitude / 10);
    expect(rise.at(-1)).toBeGreaterThan(DEFAULT_PLANTED_LEAK.amplitude / 2);
    const end = first + DEFAULT_PLANTED_LEAK.rampReadings + DEFAULT_PLANTED_LEAK.holdReadings;
    expect(plantedLeakPpmv(DEFAULT_PLANTED_LEAK, end + 5 * DEFAULT_PLANTED_LEAK.decayReadings + 1)).toBe(0);
  });

  it('come with a day of tidal currents in the reference format', () => {
    const rows = parseSeaCurrentsCsv(tidalCurrentsCsv(), { startsAt: new Date(T0) });
    expect(rows).toHaveLength(TIDAL_CURRENT_ROWS);
    expect(Math.max(...rows.map((r) => Math.hypot(r.u, r.v)))).toBeLessThan(0.2);
  });

  it('are refused with a reading interval or a site count out of range', () => {
    expect(() => new PlantSimulator({ leakReadingIntervalMs: 5 })).toThrow(SimulatorOptionsError);
    expect(() => new PlantSimulator({ leakSiteCount: LEAK_SITES.length + 1 })).toThrow(/leakSiteCount/);
    expect(() => new PlantSimulator({ ...NO_MACHINES, leakSiteCount: 1 })).not.toThrow();
  });
});
