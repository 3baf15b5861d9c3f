import { dailyPpmvSeries, type DailyPpmvOptions } from './daily-ppmv.js';
import { rescaleToStatistics, seriesStatistics, type SeriesStatistics } from './series-statistics.js';

/**
 * The seeded candidate baselines of the baseline selection, and the initial baseline of a new
 * sensor. The original shipped them as pickled stumpy objects that are not in its repository;
 * only their statistics are (`mps.json`: [mean, sample variance] in ppmv and ppmv²). Here each
 * is generated: four days of a daily-shaped ppmv series at 10-minute sampling (576 points, a
 * seeded PRNG, so always the same values), then moved and scaled so that its mean and variance
 * are the reference's to rounding. The shape parameters differ per seed so that, once scaled,
 * every value stays positive (a wide variance around a low mean needs a skewed series), and
 * the PRNG seeds so that each baseline holds the range of its own series: the days that follow
 * it (`seedContinuation`) score OK against it, not just its first days.
 */
export const SEED_BASELINE_NAMES = ['low', 'mid', 'high', 'trestakk1ta'] as const;
export type SeedBaselineName = (typeof SEED_BASELINE_NAMES)[number];

/** A new sensor starts from this seed (as in the reference). */
export const INITIAL_BASELINE_NAME: SeedBaselineName = 'high';

export const SEED_BASELINE_DAYS = 4;

export const SEED_BASELINE_STATISTICS: Readonly<Record<SeedBaselineName, SeriesStatistics>> = {
  low: { mean: 23.92, variance: 115.11 },
  mid: { mean: 33.7, variance: 742.79 },
  high: { mean: 37.95, variance: 1808.53 },
  trestakk1ta: { mean: 26.72, variance: 261.19 },
};

const SHAPES: Readonly<Record<SeedBaselineName, Omit<DailyPpmvOptions, 'days'>>> = {
  low: { seed: 106, cycle: 0.3, harmonic: 0.15, noise: 0.35 },
  mid: { seed: 102, cycle: 0.5, harmonic: 0.2, noise: 0.8 },
  high: { seed: 103, cycle: 0.6, harmonic: 0.25, noise: 1 },
  trestakk1ta: { seed: 104, cycle: 0.4, harmonic: 0.2, noise: 0.5 },
};

export interface SeedBaseline extends SeriesStatistics {
  name: SeedBaselineName;
  /** 10-minute ppmv readings, oldest first. */
  values: Float64Array;
}

export function seedBaseline(name: SeedBaselineName): SeedBaseline {
  const shape = dailyPpmvSeries({ days: SEED_BASELINE_DAYS, ...SHAPES[name] });
  return {
    name,
    ...SEED_BASELINE_STATISTICS[name],
    values: rescaleToStatistics(shape, SEED_BASELINE_STATISTICS[name]),
  };
}

/**
 * The `days` that follow the seed in the series it was cut from, on the same scale: readings a
 * sensor described by that seed would send (for simulations and tests).
 */
export function seedContinuation(name: SeedBaselineName, days: number): Float64Array {
  const series = dailyPpmvSeries({ days: SEED_BASELINE_DAYS + days, ...SHAPES[name] });
  const cut = SEED_BASELINE_DAYS * (series.length / (SEED_BASELINE_DAYS + days));
  const shape = seriesStatistics(series.subarray(0, cut));
  const target = SEED_BASELINE_STATISTICS[name];
  const scale = Math.sqrt(target.variance / shape.variance);
  return series.subarray(cut).map((x) => target.mean + (x - shape.mean) * scale);
}

export function seedBaselines(): SeedBaseline[] {
  return SEED_BASELINE_NAMES.map(seedBaseline);
}
