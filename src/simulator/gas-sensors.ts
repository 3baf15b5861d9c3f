import { seedContinuation } from '../leak-detection/domain/seed-baselines.js';

/**
 * Subsea gas sensors for the leak-detection context: where they sit (fields, templates and
 * positions the embedded simulator registers) and what they read.
 *
 * Normal readings are the days that follow the seeded `high` baseline in the series it was
 * cut from (seed-baselines.ts): the baseline every new sensor starts from, so they score OK
 * against it. NORMAL_DAYS of them are played forwards, then backwards, and so on: the turns
 * are seamless, and a daily shape played backwards is a daily shape of another phase (the
 * series is a sum of sines and a time-reversible AR(1) noise). Sensors start at different
 * places in that loop so that no two read the same.
 *
 * A planted leak is added on top: a rise over a few hours to a plateau that swings with the
 * tide (a plume bent to and from the sensor by the current), held for hours, then decaying
 * when the leak stops. It is first due at `firstAt` readings and again every `every` readings.
 * With the seeded `high` baseline and a window of 144 the newest day then lies farther from
 * anything known than the baseline's worst distance (WARNING) and soon twice as far (CRITICAL).
 */

/** The length of the normal loop, in days of 144 readings: they score OK against the seed, all of them. */
export const NORMAL_DAYS = 20;
export const READINGS_PER_DAY = 144;
/** A semidiurnal tide, 12.42 h, in 10-minute readings. */
const TIDE_READINGS = 74.5;

export interface PlantedLeak {
  /** Readings (counted from the sensor's first) before the first leak begins. */
  firstAt: number;
  /** Readings from one leak's start to the next one's. */
  every: number;
  /** Readings from nothing to the plateau. */
  rampReadings: number;
  /** Readings on the plateau. */
  holdReadings: number;
  /** e-folding readings of the decay after the leak stops (it is cut after 5 of them). */
  decayReadings: number;
  /** ppmv added on the plateau (± a quarter with the tide). */
  amplitude: number;
}

/**
 * First after a warm-up day (UNDEFINED) and a quarter of a day of OK, then every 6 days: the
 * rise takes 4 hours, the plateau 12, the decay a few more. The `high` baseline swings widely
 * (variance 1808 ppmv²; its worst day lies 807 ppmv from its nearest neighbour), so a leak
 * must be large to stand out: with 500 ppmv the first WARNING comes about 18 readings into the
 * rise and CRITICAL about 35 readings later (checked in gas-sensors.spec.ts).
 */
export const DEFAULT_PLANTED_LEAK: Readonly<PlantedLeak> = Object.freeze({
  firstAt: READINGS_PER_DAY + 36,
  every: 6 * READINGS_PER_DAY,
  rampReadings: 24,
  holdReadings: 72,
  decayReadings: 12,
  amplitude: 500,
});

export interface GasSensorPlan {
  /** The tag: unique, and the topic level of `plant/sensors/{name}/ppmv`. */
  name: string;
  /** Metres in the template frame. */
  x: number;
  y: number;
  z: number;
  /** Where in the normal loop the sensor starts, in readings. */
  phase: number;
  /** Whether leaks are planted on this sensor. */
  leaks: boolean;
}

export interface LeakSitePlan {
  /** A seeded field (migration LeakDetection). */
  field: string;
  template: { name: string; angleFromNorth: number; height: number };
  sensors: GasSensorPlan[];
}

/**
 * Open templates (the plume model covers those), with tags that decode on their field
 * (field-tags.ts): Snorre 5W and 2M, Trestakk 2A. The first sensor of each gets the leaks;
 * it lies downstream of the reference's candidate leaks, which the service gives the template.
 */
export const LEAK_SITES: readonly LeakSitePlan[] = [
  {
    field: 'Snorre',
    template: { name: 'Simulated template 5W', angleFromNorth: 12.2, height: 8 },
    sensors: [
      { name: '19H-QI___5172', x: 6, y: 4, z: 4.5, phase: 0, leaks: true },
      { name: '19H-QI___5272', x: -6, y: -3, z: 4, phase: 700, leaks: false },
      { name: '19H-QI___5372', x: 2, y: -6, z: 4.2, phase: 1400, leaks: false },
    ],
  },
  {
    field: 'Trestakk',
    template: { name: 'Simulated template 2A', angleFromNorth: 40, height: 7 },
    sensors: [
      { name: '19XT2116', x: 5, y: 5, z: 4, phase: 350, leaks: true },
      { name: '19XT2216', x: -5, y: 5, z: 4, phase: 1050, leaks: false },
      { name: '19XT2316', x: 0, y: -6, z: 4, phase: 1750, leaks: false },
    ],
  },
  {
    field: 'Snorre',
    template: { name: 'Simulated template 2M', angleFromNorth: 300, height: 8 },
    sensors: [
      { name: '19H-QI___2172', x: 4, y: -4, z: 4.5, phase: 2100, leaks: true },
      { name: '19H-QI___2272', x: -4, y: 4, z: 4.5, phase: 2450, leaks: false },
    ],
  },
];

let normalLoop: Float64Array | undefined;

/** NORMAL_DAYS of normal readings (computed once, a few milliseconds). */
export function normalPpmvLoop(): Float64Array {
  normalLoop ??= seedContinuation('high', NORMAL_DAYS);
  return normalLoop;
}

/** The n-th value of the loop played forwards, backwards, forwards … */
function pingPong(loop: Float64Array, n: number): number {
  const last = loop.length - 1;
  const k = n % (2 * last);
  return loop[k <= last ? k : 2 * last - k];
}

/** ppmv the planted leak adds to the n-th reading (0 when none is under way). */
export function plantedLeakPpmv(leak: PlantedLeak, n: number): number {
  if (n < leak.firstAt) return 0;
  const k = (n - leak.firstAt) % leak.every;
  const tide = 0.75 + 0.25 * Math.cos((2 * Math.PI * k) / TIDE_READINGS);
  if (k < leak.rampReadings) return (leak.amplitude * tide * (1 - Math.cos((Math.PI * k) / leak.rampReadings))) / 2;
  const afterHold = k - leak.rampReadings - leak.holdReadings;
  if (afterHold < 0) return leak.amplitude * tide;
  if (afterHold > 5 * leak.decayReadings) return 0;
  return leak.amplitude * tide * Math.exp(-afterHold / leak.decayReadings);
}

/** What a sensor reads, reading by reading (n from 0); deterministic. */
export class GasSensor {
  constructor(
    readonly plan: GasSensorPlan,
    private readonly leak: Readonly<PlantedLeak> | null,
    private readonly loop: Float64Array = normalPpmvLoop(),
  ) {}

  reading(n: number): number {
    const normal = pingPong(this.loop, this.plan.phase + n);
    const planted = this.plan.leaks && this.leak ? plantedLeakPpmv(this.leak, n) : 0;
    // Two decimals, as gas sensor gateways report.
    return Math.round((normal + planted) * 100) / 100;
  }
}

/** Rows of the demo sea currents: a day and one row at 10-minute spacing (a window of readings + 1). */
export const TIDAL_CURRENT_ROWS = READINGS_PER_DAY + 1;

/**
 * A day of sea currents in the reference's CSV format (`u,v`, m/s, 10 minutes apart): a
 * semidiurnal tidal ellipse, 0.12 m/s east–west and 0.05 m/s north–south on a 0.02 m/s
 * northward drift, for the simulated templates' leak simulation.
 */
export function tidalCurrentsCsv(): string {
  const rows = Array.from({ length: TIDAL_CURRENT_ROWS }, (_, k) => {
    const phase = (2 * Math.PI * k) / TIDE_READINGS;
    const u = 0.12 * Math.cos(phase);
    const v = 0.05 * Math.sin(phase) + 0.02;
    return `${u.toFixed(6)},${v.toFixed(6)}`;
  });
  return ['u,v', ...rows].join('\n');
}
