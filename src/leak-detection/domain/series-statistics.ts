import { InvalidInputError } from '../../shared/errors/domain-errors.js';

/**
 * Mean and variance of a series, as the baseline statistics are kept: the variance is the
 * sample variance (n − 1 in the denominator), as scipy's `stats.describe` gives the original's
 * `mps.json` figures. Two passes, so that a long series around a large mean keeps its digits.
 */
export interface SeriesStatistics {
  mean: number;
  variance: number;
}

export function seriesStatistics(values: ArrayLike<number>): SeriesStatistics {
  const n = values.length;
  if (n < 2) {
    throw new InvalidInputError('A series needs at least two values for its statistics', {
      values: 'must hold at least 2 values',
    });
  }
  let sum = 0;
  for (let k = 0; k < n; k++) sum += values[k];
  const mean = sum / n;
  let squares = 0;
  let residual = 0;
  for (let k = 0; k < n; k++) {
    const d = values[k] - mean;
    squares += d * d;
    residual += d;
  }
  // The corrected two-pass formula: the residual sum removes what rounding left in the mean.
  return { mean: mean + residual / n, variance: (squares - (residual * residual) / n) / (n - 1) };
}

/**
 * The series moved and scaled (x ↦ a·x + b, a > 0) so that its statistics are `target`:
 * the shape is kept, and the mean and variance are the target's up to rounding.
 */
export function rescaleToStatistics(values: ArrayLike<number>, target: SeriesStatistics): Float64Array {
  const { mean, variance } = seriesStatistics(values);
  if (!(variance > 0) || !(target.variance >= 0)) {
    throw new InvalidInputError('Only a series that varies can be rescaled, to a variance ≥ 0', {
      values: 'must not be constant',
    });
  }
  const scale = Math.sqrt(target.variance / variance);
  const out = new Float64Array(values.length);
  for (let k = 0; k < values.length; k++) out[k] = target.mean + (values[k] - mean) * scale;
  return out;
}
