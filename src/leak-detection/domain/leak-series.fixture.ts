import { gaussian, seededRandom } from './daily-ppmv.js';

/**
 * Test series for the anomaly and baseline specs: a daily sine (period 144, ppmv around 30)
 * with white noise, the day's amplitude and an added shape chosen per test. Seeded: the same
 * arguments give the same series.
 */
export interface PeriodicOptions {
  seed: number;
  /** Index of the first point in the sine's time (so that series continue each other). */
  from?: number;
  /** Points per day (the sine's period); default DAY. */
  period?: number;
  noise?: number;
  /** The sine's amplitude on day d (counted in the sine's time). */
  amplitude?: (day: number) => number;
  /** Added to the point at time t. */
  extra?: (t: number) => number;
}

export const DAY = 144;

export function periodicSeries(length: number, options: PeriodicOptions): Float64Array {
  const { seed, from = 0, period = DAY, noise = 0.5, amplitude = () => 10, extra = () => 0 } = options;
  const random = seededRandom(seed);
  const out = new Float64Array(length);
  for (let k = 0; k < length; k++) {
    const t = from + k;
    out[k] =
      30 +
      amplitude(Math.floor(t / period)) * Math.sin((2 * Math.PI * t) / period) +
      extra(t) +
      noise * gaussian(random);
  }
  return out;
}

/**
 * Three days whose middle one swings wider: its windows are the farthest from the others, so
 * the baseline's 100 % distance is a "worst normal day" and plain days score well below it.
 */
export function testBaseline(seed = 1, period = DAY): Float64Array {
  return periodicSeries(3 * period, { seed, period, amplitude: (day) => (day === 1 ? 12 : 10) });
}

/** `height` added to points [start, start + length). */
export function withBump(series: Float64Array, start: number, length: number, height: number): Float64Array {
  const out = series.slice();
  for (let k = start; k < start + length; k++) out[k] += height;
  return out;
}
