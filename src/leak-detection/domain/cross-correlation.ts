import { InvalidInputError } from '../../shared/errors/domain-errors.js';

/**
 * The best normalised cross-correlation of two series within a window of lags, each lag's value
 * divided by (1 + penalty·|lag|) so that a shift must earn its keep.
 *
 * Both series end at the same moment (the newest reading, the end of the simulated window), so
 * they are aligned at their ends: for x of length n and y of length m, with d = n − m,
 *   r(ℓ) = Σ_j x[j + d + ℓ]·y[j] / √(Σx²·Σy²)   over the j where both indices exist,
 * which is numpy's `correlate(x, y, 'full')[m − 1 + d + ℓ]` normalised. A positive lag means x shows
 * a feature ℓ steps after y does. Normalising by the whole series' energies makes r(0) = 1 for
 * equal series and |r| ≤ 1 always. The maximum is taken inside the window only (the original
 * zeroed the rest of the full correlation first, so a window of negative values gave 0); ties
 * go to the lag nearest 0, then the negative one. A series that is all zeros correlates 0.
 */
export interface LaggedCorrelation {
  value: number;
  lag: number;
}

export interface LaggedCorrelationOptions {
  /** Lags within ±maxLag. */
  maxLag: number;
  /** β in 1 + β·|lag|; 0 for none. */
  lagPenalty?: number;
}

export function maxLaggedCorrelation(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  { maxLag, lagPenalty = 0 }: LaggedCorrelationOptions,
): LaggedCorrelation {
  if (!Number.isInteger(maxLag) || maxLag < 0) {
    throw new InvalidInputError('The lag window must be an integer ≥ 0', { maxLag: 'must be an integer ≥ 0' });
  }
  if (!(Number.isFinite(lagPenalty) && lagPenalty >= 0)) {
    throw new InvalidInputError('The lag penalty must be a finite number ≥ 0', { lagPenalty: 'must be ≥ 0' });
  }
  const norm = Math.sqrt(sumOfSquares(x) * sumOfSquares(y));
  if (!(norm > 0)) return { value: 0, lag: 0 };
  const best = { value: -Infinity, lag: 0 };
  for (const lag of lagsNearestFirst(maxLag)) {
    const value = laggedProduct(x, y, lag) / norm / (1 + lagPenalty * Math.abs(lag));
    if (value > best.value) {
      best.value = value;
      best.lag = lag;
    }
  }
  return best;
}

/** Σ_j x[j + d + lag]·y[j] with d = n − m (end-aligned). */
function laggedProduct(x: ArrayLike<number>, y: ArrayLike<number>, lag: number): number {
  const shift = x.length - y.length + lag;
  const first = Math.max(0, -shift);
  const last = Math.min(y.length, x.length - shift);
  let sum = 0;
  for (let j = first; j < last; j++) sum += x[j + shift] * y[j];
  return sum;
}

function sumOfSquares(series: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < series.length; i++) sum += series[i] * series[i];
  return sum;
}

/** 0, −1, 1, −2, 2, … so that the first of equal values is the smallest shift. */
function* lagsNearestFirst(maxLag: number): Generator<number> {
  yield 0;
  for (let lag = 1; lag <= maxLag; lag++) {
    yield -lag;
    yield lag;
  }
}
