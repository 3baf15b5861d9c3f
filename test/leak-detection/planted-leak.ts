import { AnomalyScorer, anomalySettings, PreparedBaseline } from '../../src/leak-detection/domain/anomaly-scoring.js';
import { investigateLeak, type InvestigationOutcome } from '../../src/leak-detection/domain/leak-investigation.js';
import { simulateLeaks, type LeakSimulationInput } from '../../src/leak-detection/domain/leak-simulation.js';
import { DEFAULT_PLUME_PARAMETERS, type SeaCurrent } from '../../src/leak-detection/domain/plume-model.js';
import {
  INITIAL_BASELINE_NAME,
  seedBaseline,
  seedContinuation,
} from '../../src/leak-detection/domain/seed-baselines.js';
import { sensorResponse } from '../../src/leak-detection/domain/sensor-response.js';

/**
 * A real leak planted in a gas sensor's readings, worked out offline with the domain functions
 * the service runs (deterministic: the seed's own PRNG), for the e2e files that check what the
 * service does on its own (investigation-confirms-leak, investigation-follow-up):
 * - background: the continuation of the seed a new sensor starts from, so that the readings
 *   before the leak are OK against it;
 * - sea currents: a tidal ellipse, as the template imports them (`csv`);
 * - the leak: candidate `leaking` from reading `start` on, what the sensor reads of it being the
 *   plume model's concentration at the sensor through the sensor-response filter, scaled so that
 *   its passages peak at `peakPpmv` above the background;
 * - the levels: the domain scorer's, from which the first CRITICAL reading.
 */
export const WINDOW = 144;
/** The template and candidates of investigations.e2e-spec.ts; the sensor 7 m from C1. */
export const TEMPLATE_ANGLE_DEGREES = 12.2;
export const SENSOR = { x: 6, y: 4, z: 4.5 };
export const CANDIDATES = [
  { name: 'C1', x: 0, y: 0, z: 3, rate: 4.8e-4, duration: 3600 },
  { name: 'C2', x: 20, y: -10, z: 2, rate: 4.8e-4, duration: 3600 },
  { name: 'C3', x: -14, y: 10, z: 2, rate: 4.8e-4, duration: 3600 },
  { name: 'C4', x: 10, y: 20, z: 3, rate: 4.8e-4, duration: 3600 },
];

/** A tidal ellipse (period 74.5 rows, 12 h 25 min), 10 minutes apart, as the reference's u,v files. */
export function currentsCsv(rows: number): string {
  const lines = Array.from({ length: rows }, (_, k) => {
    const phase = (2 * Math.PI * k) / 74.5;
    return `${(0.12 * Math.cos(phase)).toFixed(6)},${(0.05 * Math.sin(phase) + 0.02).toFixed(6)}`;
  });
  return ['u,v', ...lines].join('\n');
}

/** The rows as the import stores them: the CSV's own numbers. */
function parseCurrents(csv: string): SeaCurrent[] {
  return csv
    .split('\n')
    .slice(1)
    .map((line) => {
      const [u, v] = line.split(',').map(Number);
      return { u, v };
    });
}

export interface PlantedLeak {
  /** The template's sea currents, to import. */
  csv: string;
  /** The readings to publish: up to `afterCritical` after the first CRITICAL. */
  readings: number[];
  levels: Array<{ level: string; percent: number | null }>;
  /** The first CRITICAL reading. */
  critical: number;
  /** The domain investigation of reading k on what the service reads for it: its last WINDOW readings, WINDOW + 1 current rows. */
  investigate(k: number): InvestigationOutcome;
}

export function plantedLeak(options: {
  start: number;
  peakPpmv: number;
  afterCritical: number;
  leaking?: number;
}): PlantedLeak {
  const { start, peakPpmv, afterCritical, leaking = 0 } = options;
  const background = seedContinuation(INITIAL_BASELINE_NAME, 4);
  const csv = currentsCsv(background.length);
  const currents = parseCurrents(csv);
  const simulation = (rows: readonly SeaCurrent[]): LeakSimulationInput => ({
    template: { angleFromNorth: (TEMPLATE_ANGLE_DEGREES * Math.PI) / 180 },
    sensor: SENSOR,
    leaks: CANDIDATES.map(({ x, y, z, rate }) => ({ x, y, z, rate })),
    currents: rows,
    plume: DEFAULT_PLUME_PARAMETERS,
  });
  const whole = simulateLeaks(simulation(currents));
  if (!whole.supported) throw new Error('the open template must be supported');
  // The response filter turns row concentrations into readings, one per interval: reading k
  // (k ≥ 1) is response k − 1, as the service aligns a window.
  const concentrations = whole.leaks[leaking].concentrations.map((c, row) => (row >= start ? c : 0));
  const response = sensorResponse(concentrations);
  const ppmvPerUnit = peakPpmv / Math.max(...response);
  const planted = Array.from(background, (x, k) => (k >= 1 ? x + ppmvPerUnit * response[k - 1] : x));

  const baseline = PreparedBaseline.prepare(seedBaseline(INITIAL_BASELINE_NAME).values, WINDOW);
  const scorer = AnomalyScorer.start(baseline, anomalySettings({ windowSize: WINDOW }));
  const levels = planted.map((ppmv) => {
    const { level, percent } = scorer.score(ppmv);
    return { level: level as string, percent };
  });
  const critical = levels.findIndex((l) => l.level === 'CRITICAL');
  if (critical < 0) throw new Error('the planted leak never goes CRITICAL');
  const end = Math.min(critical + afterCritical + 1, planted.length);
  return {
    csv,
    readings: planted.slice(0, end),
    levels: levels.slice(0, end),
    critical,
    investigate: (k) =>
      investigateLeak({
        candidateIds: CANDIDATES.map((_, i) => i),
        simulation: simulation(currents.slice(k - WINDOW, k + 1)),
        readings: planted.slice(k - WINDOW + 1, k + 1),
        neighbours: [],
      }),
  };
}
