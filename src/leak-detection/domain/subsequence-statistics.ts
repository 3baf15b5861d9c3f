/**
 * Per-subsequence facts the matrix profiles need, computed as stumpy 1.13 computes them so that
 * both agree: a window with a non-finite value takes part in nothing; a window whose values are
 * all equal is "constant" (peak-to-peak exactly 0: `stump` uses `core._rolling_isconstant`; its
 * `STUMPY_STDDEV_THRESHOLD` of 1e-7 serves only `core.z_norm`, which `stump` does not call);
 * means and standard deviations are taken directly over each window (two passes, O(n·m) in
 * all, no running sums that lose precision over long series).
 */

/** The series with every non-finite value replaced by 0 (the recurrences need numbers), as stumpy does. */
export function finiteValues(series: ArrayLike<number>): Float64Array {
  const values = new Float64Array(series.length);
  for (let k = 0; k < series.length; k++) {
    const x = series[k];
    values[k] = Number.isFinite(x) ? x : 0;
  }
  return values;
}

/** 1 where the window starting there holds only finite values. */
export function finiteWindows(series: ArrayLike<number>, windowSize: number): Uint8Array {
  const count = series.length - windowSize + 1;
  const finite = new Uint8Array(Math.max(count, 0));
  let lastNonFinite = -1;
  for (let k = 0; k < series.length; k++) {
    if (!Number.isFinite(series[k])) lastNonFinite = k;
    const start = k - windowSize + 1;
    if (start >= 0) finite[start] = lastNonFinite < start ? 1 : 0;
  }
  return finite;
}

/** 1 where the window starting there is finite and all its values are equal. */
export function constantWindows(series: ArrayLike<number>, windowSize: number): Uint8Array {
  const count = series.length - windowSize + 1;
  const constant = new Uint8Array(Math.max(count, 0));
  let run = 0;
  for (let k = 0; k < series.length; k++) {
    const x = series[k];
    run = !Number.isFinite(x) ? 0 : run > 0 && x === series[k - 1] ? run + 1 : 1;
    const start = k - windowSize + 1;
    if (start >= 0) constant[start] = run >= windowSize ? 1 : 0;
  }
  return constant;
}

/**
 * What the z-normalised diagonal recurrence needs of one window w (stumpy's `_stump`):
 * its mean, 1/σ, and the two centred terms of Welford's co-moment update,
 * `a[w] = T[w+m-1] − μ'(w)` and `c[w] = T[w-1] − μ'(w)`, μ' being the mean of the window's
 * first m−1 values.
 */
export interface WindowMoments {
  mean: Float64Array;
  inverseStd: Float64Array;
  comomentHead: Float64Array;
  comomentTail: Float64Array;
}

export function allocateWindowMoments(count: number): WindowMoments {
  return {
    mean: new Float64Array(count),
    inverseStd: new Float64Array(count),
    comomentHead: new Float64Array(count),
    comomentTail: new Float64Array(count),
  };
}

/**
 * Writes window `start`'s moments at `slot`. `usable` false (non-finite or constant) stores
 * NaN as 1/σ, which keeps the window out of the correlation arithmetic.
 */
export function writeWindowMoments(
  values: Float64Array,
  start: number,
  windowSize: number,
  usable: boolean,
  moments: WindowMoments,
  slot: number,
): void {
  let headSum = 0;
  for (let t = 0; t < windowSize - 1; t++) headSum += values[start + t];
  const last = values[start + windowSize - 1];
  const mean = (headSum + last) / windowSize;
  let squares = 0;
  for (let t = 0; t < windowSize; t++) {
    const d = values[start + t] - mean;
    squares += d * d;
  }
  const headMean = headSum / (windowSize - 1);
  moments.mean[slot] = mean;
  moments.inverseStd[slot] = usable ? 1 / Math.sqrt(squares / windowSize) : NaN;
  moments.comomentHead[slot] = last - headMean;
  moments.comomentTail[slot] = start > 0 ? values[start - 1] - headMean : 0;
}

/** Mean co-moment of windows i and j, (1/m)·Σ (T[i+t] − μ_i)(T[j+t] − μ_j), computed directly. */
export function comoment(values: Float64Array, i: number, j: number, windowSize: number, mean: Float64Array): number {
  const mi = mean[i];
  const mj = mean[j];
  let sum = 0;
  for (let t = 0; t < windowSize; t++) sum += (values[j + t] - mj) * (values[i + t] - mi);
  return sum / windowSize;
}

/** Σ (T[i+t] − T[j+t])², computed directly. */
export function squaredDistance(values: Float64Array, i: number, j: number, windowSize: number): number {
  let sum = 0;
  for (let t = 0; t < windowSize; t++) {
    const d = values[j + t] - values[i + t];
    sum += d * d;
  }
  return sum;
}

/**
 * z-normalised distance of windows i and j computed directly (the reported value: a diagonal's
 * correlation carries rounding that √(2m(1 − ρ)) magnifies for near-identical windows).
 * Constant windows: 0 between two of them, √m against any other (stumpy's rule).
 */
export function zNormalizedDistance(
  values: Float64Array,
  i: number,
  j: number,
  windowSize: number,
  moments: WindowMoments,
  constant: Uint8Array,
): number {
  if (constant[i] && constant[j]) return 0;
  if (constant[i] || constant[j]) return Math.sqrt(windowSize);
  const { mean, inverseStd } = moments;
  const mi = mean[i];
  const mj = mean[j];
  const si = inverseStd[i];
  const sj = inverseStd[j];
  let sum = 0;
  for (let t = 0; t < windowSize; t++) {
    const d = (values[i + t] - mi) * si - (values[j + t] - mj) * sj;
    sum += d * d;
  }
  return Math.sqrt(sum);
}
