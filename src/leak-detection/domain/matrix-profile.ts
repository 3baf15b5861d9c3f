import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import type { ProgressListener } from '../../shared/jobs/job-progress.js';
import {
  CorrelationDiagonalWalk,
  emptyPartners,
  RawDiagonalWalk,
  ZERO_SQUARED_DISTANCE,
  type BestPartners,
} from './matrix-profile-diagonals.js';
import {
  allocateWindowMoments,
  constantWindows,
  finiteValues,
  finiteWindows,
  squaredDistance,
  writeWindowMoments,
  zNormalizedDistance,
} from './subsequence-statistics.js';

/**
 * Matrix profiles of a series (stumpy's `stump` and `aamp`): for every window of m points, the
 * Euclidean distance to its nearest neighbour among the other windows and where that is, and
 * the same restricted to neighbours strictly before (left) and strictly after (right).
 *
 * - z-normalised: windows are compared after z-normalisation; a window of equal values
 *   ("constant") is at distance 0 from another constant window and √m from any other.
 * - non-normalised: raw Euclidean distance.
 * - Windows i and j are neighbours only when |i − j| > exclusionZone (default ⌈m/4⌉, stumpy's).
 * - A window holding a non-finite value has distance +∞ and index −1, and is nobody's neighbour.
 * - Ties: the neighbour nearest in time wins, the left one when both are as near (as stumpy).
 *
 * O(n²) time, O(n) memory: each diagonal of the distance matrix is walked once with an O(1)
 * update per step (Welford's co-moment for z-normalised, the sum of squares for raw); the
 * distances reported are then recomputed directly for the chosen pairs, which keeps them exact
 * where stumpy's √(2m(1 − ρ)) is off by up to ~1e-7 (near-identical windows).
 */
export interface MatrixProfile {
  windowSize: number;
  exclusionZone: number;
  normalized: boolean;
  /** Per window: distance to the nearest neighbour (+∞ when there is none). */
  distances: Float64Array;
  /** Per window: index of the nearest neighbour (−1 when there is none). */
  indices: Int32Array;
  leftDistances: Float64Array;
  leftIndices: Int32Array;
  rightDistances: Float64Array;
  rightIndices: Int32Array;
}

export interface MatrixProfileOptions {
  /** z-normalised (stumpy `stump`, the default) or raw Euclidean (stumpy `aamp`). */
  normalized?: boolean;
  /** Windows closer than this many positions are not neighbours; default ⌈m/4⌉. */
  exclusionZone?: number;
  /** The fraction of the distance matrix walked, every few diagonals (not rate-limited). */
  onProgress?: ProgressListener;
}

/** stumpy's `config.STUMPY_EXCL_ZONE_DENOM` = 4. */
export function defaultExclusionZone(windowSize: number): number {
  return Math.ceil(windowSize / 4);
}

export function checkProfileParameters(length: number, windowSize: number, exclusionZone: number): void {
  if (!Number.isInteger(windowSize) || windowSize < 3) {
    throw new InvalidInputError('The window size must be an integer of at least 3', {
      windowSize: 'must be an integer ≥ 3',
    });
  }
  if (windowSize > length) {
    throw new InvalidInputError(`The window size ${windowSize} exceeds the series length ${length}`, {
      windowSize: `must be at most the series length (${length})`,
    });
  }
  if (!Number.isInteger(exclusionZone) || exclusionZone < 0) {
    throw new InvalidInputError('The exclusion zone must be a non-negative integer', {
      exclusionZone: 'must be an integer ≥ 0',
    });
  }
}

export function matrixProfile(
  series: ArrayLike<number>,
  windowSize: number,
  options: MatrixProfileOptions = {},
): MatrixProfile {
  const normalized = options.normalized ?? true;
  const exclusionZone = options.exclusionZone ?? defaultExclusionZone(windowSize);
  checkProfileParameters(series.length, windowSize, exclusionZone);
  const sides = normalized
    ? zNormalizedSides(series, windowSize, exclusionZone, options.onProgress)
    : nonNormalizedSides(series, windowSize, exclusionZone, options.onProgress);
  return { windowSize, exclusionZone, normalized, ...sides, ...combineSides(sides) };
}

export interface ProfileSides {
  leftDistances: Float64Array;
  leftIndices: Int32Array;
  rightDistances: Float64Array;
  rightIndices: Int32Array;
}

/** The nearest neighbour of each window is the nearer of its left and right ones (ties: nearest in time, then left). */
export function combineSides(sides: ProfileSides): { distances: Float64Array; indices: Int32Array } {
  const { leftDistances, leftIndices, rightDistances, rightIndices } = sides;
  const count = leftDistances.length;
  const distances = new Float64Array(count);
  const indices = new Int32Array(count);
  for (let w = 0; w < count; w++) {
    const left = leftDistances[w];
    const right = rightDistances[w];
    const takeLeft =
      left < right || (left === right && leftIndices[w] >= 0 && w - leftIndices[w] <= rightIndices[w] - w);
    if (takeLeft || rightIndices[w] < 0) {
      distances[w] = left;
      indices[w] = leftIndices[w];
    } else {
      distances[w] = right;
      indices[w] = rightIndices[w];
    }
  }
  return { distances, indices };
}

/** Squared raw distances along every diagonal; the smallest per row (right side) and per column (left side). */
function nonNormalizedSides(
  series: ArrayLike<number>,
  m: number,
  exclusionZone: number,
  onProgress?: ProgressListener,
): ProfileSides {
  const values = finiteValues(series);
  const count = values.length - m + 1;
  const finite = finiteWindows(series, m);
  // Added to a squared distance: NaN keeps a window with a non-finite value out of every comparison.
  const penalty = new Float64Array(count);
  for (let w = 0; w < count; w++) penalty[w] = finite[w] ? 0 : NaN;
  const sides = emptyPartners(count, Infinity);
  new RawDiagonalWalk(values, penalty, m, sides).walk(exclusionZone, onProgress);
  const distance = (i: number, j: number) => Math.sqrt(squaredDistance(values, i, j, m));
  return reportedSides(sides, distance);
}

/**
 * The diagonals choose the neighbours; the distances reported are recomputed directly for the
 * chosen pairs (O(n·m)), so that rounding accumulated along a diagonal does not show in them.
 */
function reportedSides(sides: BestPartners, distance: (i: number, j: number) => number): ProfileSides {
  const count = sides.leftIndex.length;
  const leftDistances = new Float64Array(count).fill(Infinity);
  const rightDistances = new Float64Array(count).fill(Infinity);
  for (let w = 0; w < count; w++) {
    if (sides.leftIndex[w] >= 0) leftDistances[w] = distance(w, sides.leftIndex[w]);
    if (sides.rightIndex[w] >= 0) rightDistances[w] = distance(w, sides.rightIndex[w]);
  }
  return { leftDistances, leftIndices: sides.leftIndex, rightDistances, rightIndices: sides.rightIndex };
}

/** Pearson correlations along every diagonal; the largest per row (right side) and per column (left side). */
function zNormalizedSides(
  series: ArrayLike<number>,
  m: number,
  exclusionZone: number,
  onProgress?: ProgressListener,
): ProfileSides {
  const values = finiteValues(series);
  const count = values.length - m + 1;
  const finite = finiteWindows(series, m);
  const constant = constantWindows(series, m);
  const moments = allocateWindowMoments(count);
  for (let w = 0; w < count; w++) {
    writeWindowMoments(values, w, m, finite[w] === 1 && constant[w] === 0, moments, w);
  }
  const sides = emptyPartners(count, -Infinity);
  new CorrelationDiagonalWalk({ ...moments, values }, m, perfectCorrelation(m), sides).walk(exclusionZone, onProgress);
  addConstantWindows(finite, constant, exclusionZone, sides);
  return reportedSides(sides, (i, j) => zNormalizedDistance(values, i, j, m, moments, constant));
}

/**
 * Constant windows stay out of the diagonal walk (their 1/σ is NaN); stumpy gives a pair of
 * constant windows the correlation 1 and a constant with a non-constant window 0.5, so each
 * window's best such partner is the nearest one on each side.
 */
function addConstantWindows(
  finite: Uint8Array,
  constant: Uint8Array,
  exclusionZone: number,
  sides: BestPartners,
): void {
  const count = finite.length;
  const previousConstant = nearestBefore(count, (w) => constant[w] === 1);
  const previousOther = nearestBefore(count, (w) => finite[w] === 1 && constant[w] === 0);
  const nextConstant = nearestAfter(count, (w) => constant[w] === 1);
  const nextOther = nearestAfter(count, (w) => finite[w] === 1 && constant[w] === 0);
  for (let w = 0; w < count; w++) {
    if (!finite[w]) continue;
    const leftLimit = w - exclusionZone - 1;
    const rightLimit = w + exclusionZone + 1;
    const leftConstant = leftLimit >= 0 ? previousConstant[leftLimit] : -1;
    const rightConstant = rightLimit < count ? nextConstant[rightLimit] : -1;
    if (constant[w]) {
      const leftOther = leftLimit >= 0 ? previousOther[leftLimit] : -1;
      const rightOther = rightLimit < count ? nextOther[rightLimit] : -1;
      setSide(
        sides.left,
        sides.leftIndex,
        w,
        leftConstant >= 0 ? 1 : 0.5,
        leftConstant >= 0 ? leftConstant : leftOther,
      );
      setSide(
        sides.right,
        sides.rightIndex,
        w,
        rightConstant >= 0 ? 1 : 0.5,
        rightConstant >= 0 ? rightConstant : rightOther,
      );
    } else {
      offerSide(sides.left, sides.leftIndex, w, 0.5, leftConstant);
      offerSide(sides.right, sides.rightIndex, w, 0.5, rightConstant);
    }
  }
}

function setSide(score: Float64Array, index: Int32Array, w: number, value: number, partner: number): void {
  if (partner < 0) return;
  score[w] = value;
  index[w] = partner;
}

/** A constant partner replaces the current one when better, or as good and nearer in time. */
function offerSide(score: Float64Array, index: Int32Array, w: number, value: number, partner: number): void {
  if (partner < 0) return;
  const current = index[w];
  if (value > score[w] || (value === score[w] && Math.abs(partner - w) < Math.abs(current - w))) {
    score[w] = value;
    index[w] = partner;
  }
}

function nearestBefore(count: number, is: (w: number) => boolean): Int32Array {
  const out = new Int32Array(count);
  let last = -1;
  for (let w = 0; w < count; w++) out[w] = last = is(w) ? w : last;
  return out;
}

function nearestAfter(count: number, is: (w: number) => boolean): Int32Array {
  const out = new Int32Array(count);
  let next = -1;
  for (let w = count - 1; w >= 0; w--) out[w] = next = is(w) ? w : next;
  return out;
}

/**
 * Correlations above this are 1: their squared distance 2m(1 − ρ) is below stumpy's zero
 * threshold, so windows equal up to rounding tie, and the nearest in time wins.
 */
export function perfectCorrelation(m: number): number {
  return 1 - ZERO_SQUARED_DISTANCE / (2 * m);
}
