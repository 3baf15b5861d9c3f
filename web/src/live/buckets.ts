/**
 * A window of time-bucketed series for a chart: the server's decimated history, with live
 * samples folded into buckets of the same width, so a chart of a day of 10 Hz data keeps
 * about as many points as the history had, however long the page stays open.
 * Times are epoch milliseconds; each column holds the average of its bucket.
 */
export class BucketTable {
  readonly t: number[] = [];
  private readonly sums = new Map<string, Array<number | null>>();
  private readonly counts = new Map<string, number[]>();

  constructor(
    readonly keys: readonly string[],
    readonly bucketMs: number,
    private readonly windowMs: number,
  ) {
    for (const key of keys) {
      this.sums.set(key, []);
      this.counts.set(key, []);
    }
  }

  /** Loads one series of history: bucket starts and their averages. */
  load(key: string, t: readonly number[], avg: readonly (number | null)[]): void {
    for (let i = 0; i < t.length; i++) if (avg[i] !== null) this.add(t[i], key, avg[i]!, 1);
  }

  /** Folds one live sample into its bucket; false when it is older than the window. */
  add(ts: number, key: string, value: number, weight = 1): boolean {
    const bucket = Math.floor(ts / this.bucketMs) * this.bucketMs;
    const row = this.row(bucket);
    if (row < 0) return false;
    const sums = this.sums.get(key);
    const counts = this.counts.get(key);
    if (!sums || !counts) return false;
    sums[row] = (sums[row] ?? 0) + value * weight;
    counts[row] += weight;
    this.trim(ts);
    return true;
  }

  /** The newest sample time seen, for filling a gap after a reconnection. */
  get last(): number | undefined {
    return this.t.length ? this.t[this.t.length - 1] : undefined;
  }

  /** uPlot's columnar data: x in seconds, then one column per key. */
  columns(): [number[], ...Array<Array<number | null>>] {
    const x = this.t.map((t) => t / 1000);
    const ys = this.keys.map((key) => {
      const sums = this.sums.get(key)!;
      const counts = this.counts.get(key)!;
      return sums.map((sum, i) => (sum === null ? null : sum / counts[i]));
    });
    return [x, ...ys];
  }

  private row(bucket: number): number {
    const n = this.t.length;
    if (n && bucket < this.t[n - 1] - this.windowMs) return -1;
    if (n === 0 || bucket > this.t[n - 1]) {
      this.t.push(bucket);
      for (const key of this.keys) {
        this.sums.get(key)!.push(null);
        this.counts.get(key)!.push(0);
      }
      return n;
    }
    // Older than the newest bucket: find it (out-of-order samples and history are rare and short).
    let lo = 0;
    let hi = n - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.t[mid] === bucket) return mid;
      if (this.t[mid] < bucket) lo = mid + 1;
      else hi = mid - 1;
    }
    this.t.splice(lo, 0, bucket);
    for (const key of this.keys) {
      this.sums.get(key)!.splice(lo, 0, null);
      this.counts.get(key)!.splice(lo, 0, 0);
    }
    return lo;
  }

  private trim(now: number): void {
    const start = now - this.windowMs;
    let drop = 0;
    while (drop < this.t.length && this.t[drop] < start) drop++;
    if (drop === 0) return;
    this.t.splice(0, drop);
    for (const key of this.keys) {
      this.sums.get(key)!.splice(0, drop);
      this.counts.get(key)!.splice(0, drop);
    }
  }
}

/** A state (machine state, anomaly level) from `start` until the next one. */
export interface Segment<S extends string> {
  start: number;
  end: number | null;
  state: S;
}

/** Appends a state change to a timeline: the open segment ends where the new one starts. */
export function changeState<S extends string>(segments: Segment<S>[], at: number, state: S): Segment<S>[] {
  const last = segments[segments.length - 1];
  if (last && last.end === null && last.state === state) return segments;
  const closed = last && last.end === null ? [...segments.slice(0, -1), { ...last, end: at }] : segments;
  return [...closed, { start: at, end: null, state }];
}
