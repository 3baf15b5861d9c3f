import type { ProgressListener } from '../../shared/jobs/job-progress.js';
import { comoment, squaredDistance } from './subsequence-statistics.js';

/**
 * The inner loops of the batch matrix profiles: every diagonal g (window i against window
 * i + g) is walked once with an O(1) update per step. Each row i keeps its best partner on the
 * right, each column j its best partner on the left; among equals the partner nearest in time
 * wins (as in stumpy).
 *
 * Speed, measured with V8:
 * - diagonals are walked four at a time: g0 … g0+3 share row i's loads, and four independent
 *   running sums hide each other's latency;
 * - the best-so-far checks almost never succeed, so the updates sit in small functions;
 * - the farthest (shortest) diagonals come first, so the walking functions are compiled with
 *   complete type feedback before the long diagonals run (a function compiled in the middle of
 *   its first long loop lacks it, is thrown away and recompiled, and boxes its numbers meanwhile);
 * - each diagonal's first value is computed beforehand (that O(m) loop, inlined into the walking
 *   functions, slows their own loops down);
 * - the state lives in class fields copied to locals: stable shapes, no closures in the loops.
 */
export interface BestPartners {
  left: Float64Array;
  leftIndex: Int32Array;
  right: Float64Array;
  rightIndex: Int32Array;
}

export function emptyPartners(count: number, worst: number): BestPartners {
  return {
    left: new Float64Array(count).fill(worst),
    leftIndex: new Int32Array(count).fill(-1),
    right: new Float64Array(count).fill(worst),
    rightIndex: new Int32Array(count).fill(-1),
  };
}

/**
 * The order both walks take the diagonals in: from the shortest (count − 1) to the longest
 * (exclusionZone + 1), one at a time until the rest divide into fours, then four at a time
 * (`quad(g0)` walks g0 … g0 + 3). After each step, the fraction of the matrix's cells walked:
 * a few hundred microseconds apart at 50,000 points, so a worker's pacer can pause there too.
 * The callbacks run once per diagonal or four, never inside a diagonal's loop.
 */
function walkFromShortest(
  count: number,
  exclusionZone: number,
  one: (g: number) => void,
  quad: (g0: number) => void,
  onProgress?: ProgressListener,
): void {
  const diagonals = count - exclusionZone - 1;
  const cells = diagonals * (diagonals + 1);
  const walked = (g: number) => {
    const done = count - g;
    onProgress?.((done * (done + 1)) / cells);
  };
  let g = count - 1;
  for (; g > exclusionZone && (g - exclusionZone) % 4 !== 0; g--) {
    one(g);
    walked(g);
  }
  for (; g > exclusionZone; g -= 4) {
    quad(g - 3);
    walked(g - 3);
  }
}

/** stumpy's `config.STUMPY_P_NORM_THRESHOLD`: squared distances below it are 0. */
export const ZERO_SQUARED_DISTANCE = 1e-14;

// The offers evaluate every comparison on every call: a comparison first reached after the walk
// was compiled (a tie, say) would throw the compiled walk away in the middle of its loop.

/** Window w takes `partner` when its score is lower, or as low and nearer in time. */
function offerLower(scores: Float64Array, indices: Int32Array, w: number, partner: number, score: number): void {
  const current = scores[w];
  const better = score < current;
  const nearerTie = score === current && Math.abs(partner - w) < Math.abs(indices[w] - w);
  if (better || nearerTie) {
    scores[w] = score;
    indices[w] = partner;
  }
}

/** Window w takes `partner` when its score is higher, or as high and nearer in time. */
function offerHigher(scores: Float64Array, indices: Int32Array, w: number, partner: number, score: number): void {
  const current = scores[w];
  const better = score > current;
  const nearerTie = score === current && Math.abs(partner - w) < Math.abs(indices[w] - w);
  if (better || nearerTie) {
    scores[w] = score;
    indices[w] = partner;
  }
}

/**
 * Raw squared distances (smaller is better, stumpy's `aamp`). `penalty` is 0 for a finite window
 * and NaN for one holding a non-finite value: added to a distance, NaN fails every comparison.
 */
export class RawDiagonalWalk {
  private readonly count: number;
  private readonly start: Float64Array;

  constructor(
    private readonly values: Float64Array,
    private readonly penalty: Float64Array,
    private readonly m: number,
    private readonly best: BestPartners,
  ) {
    this.count = penalty.length;
    this.start = new Float64Array(this.count);
  }

  walk(exclusionZone: number, onProgress?: ProgressListener): void {
    const { values, penalty, m, start, count } = this;
    const { left, leftIndex, right, rightIndex } = this.best;
    for (let g = exclusionZone + 1; g < count; g++) {
      let p = squaredDistance(values, 0, g, m);
      if (p < ZERO_SQUARED_DISTANCE) p = 0;
      start[g] = p;
      const d = p + penalty[0] + penalty[g];
      offerLower(right, rightIndex, 0, g, d);
      offerLower(left, leftIndex, g, 0, d);
    }
    walkFromShortest(
      count,
      exclusionZone,
      (g) => this.run(g, 1, start[g]),
      (g0) => this.quad(g0),
      onProgress,
    );
  }

  /** Continues diagonal g from row `from` (its predecessor's squared distance is p) to its end. */
  private run(g: number, from: number, p: number): void {
    const { values, penalty, m, count } = this;
    const { left, leftIndex, right, rightIndex } = this.best;
    for (let i = from, j = from + g; j < count; i++, j++) {
      const out = values[i - 1] - values[j - 1];
      const inn = values[i + m - 1] - values[j + m - 1];
      p = Math.abs(p - out * out + inn * inn);
      if (p < ZERO_SQUARED_DISTANCE) p = 0;
      const d = p + penalty[i] + penalty[j];
      if (d <= right[i]) offerLower(right, rightIndex, i, j, d);
      if (d <= left[j]) offerLower(left, leftIndex, j, i, d);
    }
  }

  private quad(g0: number): void {
    const { values, penalty, m, count, start } = this;
    const { left, leftIndex, right, rightIndex } = this.best;
    let p0 = start[g0];
    let p1 = start[g0 + 1];
    let p2 = start[g0 + 2];
    let p3 = start[g0 + 3];
    const end = count - g0 - 3;
    // The column side of the four diagonals, carried from one row to the next.
    let out0 = values[g0];
    let out1 = values[g0 + 1];
    let out2 = values[g0 + 2];
    let inn0 = values[g0 + m];
    let inn1 = values[g0 + m + 1];
    let inn2 = values[g0 + m + 2];
    let pen0 = penalty[g0 + 1];
    let pen1 = penalty[g0 + 2];
    let pen2 = penalty[g0 + 3];
    for (let i = 1, j = g0 + 1; i < end; i++, j++) {
      const out3 = values[j + 2];
      const inn3 = values[j + m + 2];
      const pen3 = penalty[j + 3];
      const rowOut = values[i - 1];
      const rowInn = values[i + m - 1];
      const rowPen = penalty[i];
      let e = rowOut - out0;
      let f = rowInn - inn0;
      p0 = Math.abs(p0 - e * e + f * f);
      e = rowOut - out1;
      f = rowInn - inn1;
      p1 = Math.abs(p1 - e * e + f * f);
      e = rowOut - out2;
      f = rowInn - inn2;
      p2 = Math.abs(p2 - e * e + f * f);
      e = rowOut - out3;
      f = rowInn - inn3;
      p3 = Math.abs(p3 - e * e + f * f);
      if (p0 < ZERO_SQUARED_DISTANCE) p0 = 0;
      if (p1 < ZERO_SQUARED_DISTANCE) p1 = 0;
      if (p2 < ZERO_SQUARED_DISTANCE) p2 = 0;
      if (p3 < ZERO_SQUARED_DISTANCE) p3 = 0;
      const d0 = p0 + rowPen + pen0;
      const d1 = p1 + rowPen + pen1;
      const d2 = p2 + rowPen + pen2;
      const d3 = p3 + rowPen + pen3;
      const rowBest = right[i];
      if (d0 <= rowBest || d1 <= rowBest || d2 <= rowBest || d3 <= rowBest) {
        offerLower(right, rightIndex, i, j, d0);
        offerLower(right, rightIndex, i, j + 1, d1);
        offerLower(right, rightIndex, i, j + 2, d2);
        offerLower(right, rightIndex, i, j + 3, d3);
      }
      if (d0 <= left[j]) offerLower(left, leftIndex, j, i, d0);
      if (d1 <= left[j + 1]) offerLower(left, leftIndex, j + 1, i, d1);
      if (d2 <= left[j + 2]) offerLower(left, leftIndex, j + 2, i, d2);
      if (d3 <= left[j + 3]) offerLower(left, leftIndex, j + 3, i, d3);
      out0 = out1;
      out1 = out2;
      out2 = out3;
      inn0 = inn1;
      inn1 = inn2;
      inn2 = inn3;
      pen0 = pen1;
      pen1 = pen2;
      pen2 = pen3;
    }
    this.run(g0 + 2, end, p2);
    this.run(g0 + 1, end, p1);
    this.run(g0, end, p0);
  }
}

/** What the correlation walk needs per window (see `WindowMoments`). */
export interface CorrelationInputs {
  values: Float64Array;
  mean: Float64Array;
  inverseStd: Float64Array;
  comomentHead: Float64Array;
  comomentTail: Float64Array;
}

/**
 * Pearson correlations (larger is better, stumpy's `stump`), updated with Welford's centred
 * co-moment: cov(i+1, j+1) = cov(i, j) + (m−1)/m² · (a[j]·a[i] − c[j]·c[i]). `inverseStd` is NaN
 * for windows that take no part (non-finite or constant): their correlations are NaN.
 * Correlations above `one` count as 1 (stored as `one`): equal windows tie whatever the rounding.
 */
export class CorrelationDiagonalWalk {
  private readonly count: number;
  private readonly start: Float64Array;
  private readonly weight: number;
  private readonly values: Float64Array;
  private readonly mean: Float64Array;
  private readonly inv: Float64Array;
  private readonly a: Float64Array;
  private readonly c: Float64Array;

  constructor(
    inputs: CorrelationInputs,
    private readonly m: number,
    private readonly one: number,
    private readonly best: BestPartners,
  ) {
    this.values = inputs.values;
    this.mean = inputs.mean;
    this.inv = inputs.inverseStd;
    this.a = inputs.comomentHead;
    this.c = inputs.comomentTail;
    this.count = this.inv.length;
    this.start = new Float64Array(this.count);
    this.weight = (m - 1) / (m * m);
  }

  walk(exclusionZone: number, onProgress?: ProgressListener): void {
    const { values, mean, inv, m, start, count } = this;
    for (let g = exclusionZone + 1; g < count; g++) {
      const cov = comoment(values, 0, g, m, mean);
      start[g] = cov;
      this.offer(0, g, cov * inv[0] * inv[g]);
    }
    walkFromShortest(
      count,
      exclusionZone,
      (g) => this.run(g, 1, start[g]),
      (g0) => this.quad(g0),
      onProgress,
    );
  }

  private offer(i: number, j: number, r: number): void {
    const s = r > this.one ? this.one : r;
    offerHigher(this.best.right, this.best.rightIndex, i, j, s);
    offerHigher(this.best.left, this.best.leftIndex, j, i, s);
  }

  private offerRight(i: number, j: number, r: number): void {
    offerHigher(this.best.right, this.best.rightIndex, i, j, r > this.one ? this.one : r);
  }

  private offerLeft(j: number, i: number, r: number): void {
    offerHigher(this.best.left, this.best.leftIndex, j, i, r > this.one ? this.one : r);
  }

  private run(g: number, from: number, cov: number): void {
    const { inv, a, c, weight, count } = this;
    const { left, right } = this.best;
    for (let i = from, j = from + g; j < count; i++, j++) {
      cov += weight * (a[j] * a[i] - c[j] * c[i]);
      const r = cov * inv[i] * inv[j];
      if (r >= right[i]) this.offerRight(i, j, r);
      if (r >= left[j]) this.offerLeft(j, i, r);
    }
  }

  private quad(g0: number): void {
    const { inv, a, c, weight, count, start } = this;
    const { left, right } = this.best;
    let cov0 = start[g0];
    let cov1 = start[g0 + 1];
    let cov2 = start[g0 + 2];
    let cov3 = start[g0 + 3];
    const end = count - g0 - 3;
    let a0 = a[g0 + 1];
    let a1 = a[g0 + 2];
    let a2 = a[g0 + 3];
    let c0 = c[g0 + 1];
    let c1 = c[g0 + 2];
    let c2 = c[g0 + 3];
    let v0 = inv[g0 + 1];
    let v1 = inv[g0 + 2];
    let v2 = inv[g0 + 3];
    for (let i = 1, j = g0 + 1; i < end; i++, j++) {
      const a3 = a[j + 3];
      const c3 = c[j + 3];
      const v3 = inv[j + 3];
      const ai = weight * a[i];
      const ci = weight * c[i];
      const vi = inv[i];
      cov0 += a0 * ai - c0 * ci;
      cov1 += a1 * ai - c1 * ci;
      cov2 += a2 * ai - c2 * ci;
      cov3 += a3 * ai - c3 * ci;
      const r0 = cov0 * vi * v0;
      const r1 = cov1 * vi * v1;
      const r2 = cov2 * vi * v2;
      const r3 = cov3 * vi * v3;
      const rowBest = right[i];
      if (r0 >= rowBest || r1 >= rowBest || r2 >= rowBest || r3 >= rowBest) {
        this.offerRight(i, j, r0);
        this.offerRight(i, j + 1, r1);
        this.offerRight(i, j + 2, r2);
        this.offerRight(i, j + 3, r3);
      }
      if (r0 >= left[j]) this.offerLeft(j, i, r0);
      if (r1 >= left[j + 1]) this.offerLeft(j + 1, i, r1);
      if (r2 >= left[j + 2]) this.offerLeft(j + 2, i, r2);
      if (r3 >= left[j + 3]) this.offerLeft(j + 3, i, r3);
      a0 = a1;
      a1 = a2;
      a2 = a3;
      c0 = c1;
      c1 = c2;
      c2 = c3;
      v0 = v1;
      v1 = v2;
      v2 = v3;
    }
    this.run(g0 + 2, end, cov2);
    this.run(g0 + 1, end, cov1);
    this.run(g0, end, cov0);
  }
}
