import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import type {
  IncrementalMatrixProfileOptions,
  IncrementalMatrixProfileState,
} from './incremental-matrix-profile-state.js';
import { LeftNeighbourRecords } from './left-neighbour-records.js';
import { ZERO_SQUARED_DISTANCE } from './matrix-profile-diagonals.js';
import { decodeMatrixProfileState, encodeMatrixProfileState } from './matrix-profile-state-codec.js';
import {
  checkProfileParameters,
  combineSides,
  defaultExclusionZone,
  perfectCorrelation,
  type MatrixProfile,
} from './matrix-profile.js';
import {
  allocateWindowMoments,
  comoment,
  constantWindows,
  finiteWindows,
  squaredDistance,
  writeWindowMoments,
  zNormalizedDistance,
  type WindowMoments,
} from './subsequence-statistics.js';

export type { IncrementalMatrixProfileOptions, IncrementalMatrixProfileState };

/**
 * A matrix profile kept up to date one reading at a time (stumpy's `stumpi` / `aampi`).
 *
 * History policy: the newest `maxLength` points are kept. Once full, each new point pushes the
 * oldest point and the oldest window out, and the profile always equals the batch profile
 * (`matrixProfile`) of the retained points: distances, indices (relative to the oldest retained
 * point), left and right sides. (stumpy's `stumpi(egress=True)` instead keeps neighbours that
 * have left the history.)
 *
 * Cost of `update`: O(n) for n retained points, no recomputation. The new window's distances to
 * all retained windows come from the previous window's along the diagonals (O(1) each); they
 * improve the right neighbours of the others and give the new window's left-neighbour records.
 * A window leaving the history hands each window it was the neighbour of over to its next
 * record. Buffers are shifted in place now and then (O(1) amortised per point).
 *
 * The state is plain typed arrays; `toBytes`/`fromBytes` save and restore it exactly (a restored
 * profile continues bit for bit as the original would have).
 */
export class IncrementalMatrixProfile {
  readonly windowSize: number;
  readonly maxLength: number;
  readonly normalized: boolean;
  readonly exclusionZone: number;
  readonly maxRecordsPerWindow: number;
  private readonly one: number;
  private readonly weight: number;
  private capacity: number;
  /** Buffer positions of the oldest retained point and one past the newest. */
  private head = 0;
  private tail = 0;
  private lastNonFinite = -1;
  private equalRun = 0;
  // Per point.
  private values: Float64Array;
  private finite: Uint8Array;
  // Per window (indexed by the position of its first point).
  private penalty: Float64Array;
  private constant: Uint8Array;
  private moments: WindowMoments;
  /** The newest window against each window: squared distance (raw) or co-moment (z-normalised). */
  private column: Float64Array;
  /** Best right partner's score (lower is better: squared distance, or −correlation) and position. */
  private rightScore: Float64Array;
  private rightIndex: Int32Array;
  private records: LeftNeighbourRecords;

  constructor(options: IncrementalMatrixProfileOptions) {
    const { windowSize, maxLength } = options;
    this.windowSize = windowSize;
    this.maxLength = maxLength;
    this.normalized = options.normalized ?? false;
    this.exclusionZone = options.exclusionZone ?? defaultExclusionZone(windowSize);
    this.maxRecordsPerWindow = options.maxRecordsPerWindow ?? 256;
    checkProfileParameters(maxLength, windowSize, this.exclusionZone);
    if (!Number.isInteger(this.maxRecordsPerWindow) || this.maxRecordsPerWindow < 1) {
      throw new InvalidInputError('maxRecordsPerWindow must be a positive integer', {
        maxRecordsPerWindow: 'must be an integer ≥ 1',
      });
    }
    this.one = perfectCorrelation(windowSize);
    this.weight = (windowSize - 1) / (windowSize * windowSize);
    this.capacity = Math.min(maxLength + slack(maxLength), INITIAL_CAPACITY);
    this.allocate(this.capacity);
    this.records = new LeftNeighbourRecords(this.capacity, this.maxRecordsPerWindow, maxLength);
  }

  /** A profile of the newest `maxLength` points of `series`, as if they had arrived one by one. */
  static fromSeries(series: ArrayLike<number>, options: IncrementalMatrixProfileOptions): IncrementalMatrixProfile {
    const profile = new IncrementalMatrixProfile(options);
    for (let k = Math.max(0, series.length - options.maxLength); k < series.length; k++) profile.update(series[k]);
    return profile;
  }

  /** Points retained. */
  get length(): number {
    return this.tail - this.head;
  }

  /** Windows retained (0 until windowSize points arrived). */
  get windowCount(): number {
    return Math.max(this.tail - this.head - this.windowSize + 1, 0);
  }

  /** Appends one reading (a non-finite one makes every window holding it +∞ and nobody's neighbour). */
  update(x: number): void {
    if (this.tail - this.head === this.maxLength) this.forgetOldest();
    if (this.tail === this.capacity) this.makeRoom();
    const w = this.appendPoint(x) - this.windowSize + 1;
    if (w < this.head) return;
    this.describeWindow(w);
    if (this.normalized) this.scanCorrelations(w);
    else this.scanDistances(w);
  }

  /** The newest window's distance to its nearest neighbour (+∞ without one) and that neighbour's index. */
  newestNeighbour(): { distance: number; index: number } {
    const w = this.tail - this.windowSize;
    const partner = w >= this.head ? this.records.neighbourOf(w) : -1;
    if (partner < 0) return { distance: Infinity, index: -1 };
    return { distance: this.pairDistance(w, partner), index: partner - this.head };
  }

  /** The profile of the retained points, as `matrixProfile` gives it. O(n·m). */
  profile(): MatrixProfile {
    const count = this.windowCount;
    const sides = {
      leftDistances: new Float64Array(count).fill(Infinity),
      leftIndices: new Int32Array(count).fill(-1),
      rightDistances: new Float64Array(count).fill(Infinity),
      rightIndices: new Int32Array(count).fill(-1),
    };
    for (let k = 0; k < count; k++) {
      const w = this.head + k;
      const left = this.records.neighbourOf(w);
      const right = this.rightIndex[w];
      if (left >= 0) {
        sides.leftDistances[k] = this.pairDistance(w, left);
        sides.leftIndices[k] = left - this.head;
      }
      if (right >= 0) {
        sides.rightDistances[k] = this.pairDistance(w, right);
        sides.rightIndices[k] = right - this.head;
      }
    }
    const { windowSize, exclusionZone, normalized } = this;
    return { windowSize, exclusionZone, normalized, ...sides, ...combineSides(sides) };
  }

  /** Everything the profile holds, positions made relative to the oldest retained point. */
  state(): IncrementalMatrixProfileState {
    const { head, windowCount } = this;
    const last = head + windowCount - 1;
    const records = this.records.export(head, last);
    records.positions = records.positions.map((position) => position - head);
    return {
      options: {
        windowSize: this.windowSize,
        maxLength: this.maxLength,
        normalized: this.normalized,
        exclusionZone: this.exclusionZone,
        maxRecordsPerWindow: this.maxRecordsPerWindow,
      },
      values: this.series(),
      column: this.column.slice(head, last + 1),
      rightScore: this.rightScore.slice(head, last + 1),
      rightIndex: this.rightIndex.slice(head, last + 1).map((position) => (position >= 0 ? position - head : -1)),
      records,
    };
  }

  static fromState(state: IncrementalMatrixProfileState): IncrementalMatrixProfile {
    const profile = new IncrementalMatrixProfile(state.options);
    profile.restore(state);
    return profile;
  }

  /** The state as bytes, to store; `fromBytes` restores it exactly. */
  toBytes(): Uint8Array {
    return encodeMatrixProfileState(this.state());
  }

  static fromBytes(bytes: Uint8Array): IncrementalMatrixProfile {
    return IncrementalMatrixProfile.fromState(decodeMatrixProfileState(bytes));
  }

  /** An independent copy. */
  clone(): IncrementalMatrixProfile {
    return IncrementalMatrixProfile.fromState(this.state());
  }

  /** The retained points (non-finite ones as NaN). */
  series(): Float64Array {
    const out = this.values.slice(this.head, this.tail);
    for (let k = 0; k < out.length; k++) if (!this.finite[this.head + k]) out[k] = NaN;
    return out;
  }

  /**
   * The new window w against every retained window v < w, raw: the squared distance to v comes
   * from the previous window's to v − 1, except for the oldest v, computed directly (which also
   * bounds how far rounding travels). Each pair may improve v's right neighbour, and w's left
   * candidates, met from the nearest to the oldest, give its records.
   */
  private scanDistances(w: number): void {
    const { values, penalty, column, rightScore, head, windowSize: m } = this;
    const nearest = Math.min(w - this.exclusionZone - 1, w - 1);
    const newOut = values[w - 1];
    const newIn = values[w + m - 1];
    const penaltyW = penalty[w];
    this.records.begin(w, head, w);
    let v = w - 1;
    for (; v > nearest && v > head; v--) {
      const out = values[v - 1] - newOut;
      const inn = values[v + m - 1] - newIn;
      const p = Math.abs(column[v - 1] - out * out + inn * inn);
      column[v] = p < ZERO_SQUARED_DISTANCE ? 0 : p;
    }
    let best = Infinity;
    for (; v > head; v--) {
      const out = values[v - 1] - newOut;
      const inn = values[v + m - 1] - newIn;
      let p = Math.abs(column[v - 1] - out * out + inn * inn);
      if (p < ZERO_SQUARED_DISTANCE) p = 0;
      column[v] = p;
      const d = p + penalty[v] + penaltyW;
      if (d < rightScore[v] || d < best) best = this.offerPair(v, w, d, best);
    }
    if (head < w) {
      const p = squaredDistance(values, head, w, m);
      column[head] = p < ZERO_SQUARED_DISTANCE ? 0 : p;
      if (head <= nearest) this.offerPair(head, w, column[head] + penalty[head] + penaltyW, best);
    }
    this.records.finish(w);
  }

  /** As scanDistances, with Welford's co-moment along the diagonals and −correlation as the score. */
  private scanCorrelations(w: number): void {
    const { column, rightScore, head, one, weight } = this;
    const { inverseStd: inv, comomentHead: a, comomentTail: c } = this.moments;
    const nearest = Math.min(w - this.exclusionZone - 1, w - 1);
    const aw = a[w];
    const cw = c[w];
    const invW = inv[w];
    this.records.begin(w, head, w);
    let v = w - 1;
    for (; v > nearest && v > head; v--) column[v] = column[v - 1] + weight * (aw * a[v] - cw * c[v]);
    let best = Infinity;
    for (; v > head; v--) {
      const cov = column[v - 1] + weight * (aw * a[v] - cw * c[v]);
      column[v] = cov;
      let r = cov * inv[v] * invW;
      if (r !== r) r = this.specialCorrelation(v, w);
      const score = r > one ? -one : -r;
      if (score < rightScore[v] || score < best) best = this.offerPair(v, w, score, best);
    }
    if (head < w) {
      column[head] = comoment(this.values, head, w, this.windowSize, this.moments.mean);
      if (head <= nearest) this.offerPair(head, w, this.directScore(head, w), best);
    }
    this.records.finish(w);
  }

  /**
   * Pair (v, w), w the newest window: v's right neighbour becomes w if strictly better (w is the
   * farthest yet, so among equals the nearer one stays); v is w's next record if strictly better
   * than every nearer candidate. Returns the best score among w's candidates so far.
   */
  private offerPair(v: number, w: number, score: number, best: number): number {
    if (score < this.rightScore[v]) {
      this.rightScore[v] = score;
      this.rightIndex[v] = w;
    }
    if (!(score < best)) return best; // NaN (a non-finite window) is no candidate
    this.records.push(w, v);
    return score;
  }

  /** stumpy's rule for constant windows: 1 between two of them, 0.5 with another; NaN if either is not finite. */
  private specialCorrelation(v: number, w: number): number {
    if (this.penalty[v] !== 0 || this.penalty[w] !== 0) return NaN;
    if (this.constant[v] && this.constant[w]) return 1;
    return this.constant[v] || this.constant[w] ? 0.5 : NaN;
  }

  /** The score scanDistances/scanCorrelations give the pair, computed directly. */
  private directScore(v: number, w: number): number {
    if (!this.normalized) {
      const p = squaredDistance(this.values, v, w, this.windowSize);
      return (p < ZERO_SQUARED_DISTANCE ? 0 : p) + this.penalty[v] + this.penalty[w];
    }
    let r = comoment(this.values, v, w, this.windowSize, this.moments.mean);
    r *= this.moments.inverseStd[v] * this.moments.inverseStd[w];
    if (r !== r) r = this.specialCorrelation(v, w);
    return r > this.one ? -this.one : -r;
  }

  /** The reported distance of a pair, computed directly (as the batch profile reports it). */
  private pairDistance(v: number, w: number): number {
    if (!this.normalized) return Math.sqrt(squaredDistance(this.values, v, w, this.windowSize));
    return zNormalizedDistance(this.values, v, w, this.windowSize, this.moments, this.constant);
  }

  /** The oldest point leaves, and with it the oldest window: the windows it was the neighbour of move on. */
  private forgetOldest(): void {
    const leaving = this.head++;
    if (this.tail - leaving < this.windowSize) return;
    for (const w of this.records.drop(leaving)) this.rerecord(w);
  }

  /** Records window w's left candidates again, directly (its kept records ran out). */
  private rerecord(w: number): void {
    let best = Infinity;
    this.records.begin(w, this.head, this.tail - this.windowSize);
    for (let v = w - this.exclusionZone - 1; v >= this.head; v--) {
      const score = this.directScore(v, w);
      if (score < best) {
        best = score;
        this.records.push(w, v);
      }
    }
    this.records.finish(w);
  }

  private restore(state: IncrementalMatrixProfileState): void {
    const n = state.values.length;
    const windows = Math.max(n - this.windowSize + 1, 0);
    const recorded = state.records.counts.reduce((sum, count) => sum + count, 0);
    const consistent =
      n <= this.maxLength &&
      [state.column, state.rightScore, state.rightIndex, state.records.counts, state.records.truncated].every(
        (array) => array.length === windows,
      ) &&
      recorded === state.records.positions.length &&
      state.records.counts.every((count) => count >= 0 && count <= this.maxRecordsPerWindow) &&
      state.rightIndex.every((index) => index >= -1 && index < windows) &&
      state.records.positions.every((index) => index >= 0 && index < windows);
    if (!consistent) {
      throw new InvalidInputError('The saved matrix profile state is inconsistent', { state: 'inconsistent lengths' });
    }
    this.capacity = Math.min(this.maxLength + slack(this.maxLength), Math.max(INITIAL_CAPACITY, 2 * n));
    this.allocate(this.capacity);
    this.records = new LeftNeighbourRecords(this.capacity, this.maxRecordsPerWindow, this.maxLength);
    for (const x of state.values) this.appendPoint(x);
    const finite = finiteWindows(state.values, this.windowSize);
    const constant = constantWindows(state.values, this.windowSize);
    for (let w = 0; w < windows; w++) {
      this.penalty[w] = finite[w] ? 0 : NaN;
      if (this.normalized) {
        this.constant[w] = constant[w];
        writeWindowMoments(this.values, w, this.windowSize, finite[w] === 1 && !constant[w], this.moments, w);
      }
    }
    this.column.set(state.column);
    this.rightScore.set(state.rightScore);
    this.rightIndex.set(state.rightIndex);
    this.records.import(state.records);
  }

  /** Grows the buffers up to maxLength + slack, then shifts them back. */
  private makeRoom(): void {
    const full = this.maxLength + slack(this.maxLength);
    if (this.capacity < full) {
      const old = this.buffers();
      this.capacity = Math.min(this.capacity * 2, full);
      this.allocate(this.capacity);
      this.buffers().forEach((buffer, k) => buffer.set(old[k]));
      this.records.resize(this.capacity);
      return;
    }
    const shift = this.head;
    const lastWindow = this.tail - this.windowSize;
    for (const buffer of this.buffers()) buffer.copyWithin(0, shift, this.tail);
    for (let w = 0; w <= lastWindow - shift; w++) if (this.rightIndex[w] >= 0) this.rightIndex[w] -= shift;
    if (lastWindow >= shift) this.records.shift(shift, lastWindow, shift);
    this.head = 0;
    this.tail -= shift;
    this.lastNonFinite -= shift;
  }

  /** Every per-position buffer (in a fixed order). */
  private buffers(): Array<Float64Array | Uint8Array | Int32Array> {
    const { mean, inverseStd, comomentHead, comomentTail } = this.moments;
    return [
      this.values,
      this.finite,
      this.penalty,
      this.column,
      this.rightScore,
      this.rightIndex,
      this.constant,
    ].concat([mean, inverseStd, comomentHead, comomentTail]);
  }

  private allocate(capacity: number): void {
    const windows = this.normalized ? capacity : 0;
    this.values = new Float64Array(capacity);
    this.finite = new Uint8Array(capacity);
    this.penalty = new Float64Array(capacity);
    this.constant = new Uint8Array(windows);
    this.moments = allocateWindowMoments(windows);
    this.column = new Float64Array(capacity);
    this.rightScore = new Float64Array(capacity);
    this.rightIndex = new Int32Array(capacity);
  }

  /** Stores a point at the tail; returns its position. */
  private appendPoint(x: number): number {
    const t = this.tail++;
    const finite = Number.isFinite(x);
    this.values[t] = finite ? x : 0;
    this.finite[t] = finite ? 1 : 0;
    if (!finite) this.lastNonFinite = t;
    this.equalRun = !finite ? 0 : this.equalRun > 0 && x === this.values[t - 1] ? this.equalRun + 1 : 1;
    return t;
  }

  private describeWindow(w: number): void {
    const finite = this.lastNonFinite < w;
    this.penalty[w] = finite ? 0 : NaN;
    if (this.normalized) {
      const constant = finite && this.equalRun >= this.windowSize;
      this.constant[w] = constant ? 1 : 0;
      writeWindowMoments(this.values, w, this.windowSize, finite && !constant, this.moments, w);
    }
    this.column[w] = 0; // its pair with itself, never used; kept defined so that saved states compare equal
    this.rightScore[w] = Infinity;
    this.rightIndex[w] = -1;
  }
}

/** Buffers start this large (or at their full size if smaller) and double up to it. */
const INITIAL_CAPACITY = 256;

/** Spare positions past maxLength before the buffers are shifted back. */
function slack(maxLength: number): number {
  return Math.max(64, Math.ceil(maxLength / 8));
}
