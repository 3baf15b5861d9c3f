import type { SamplesAdded } from './sample-kind.js';

export interface SampleStreamOptions<S> {
  /** Only these sources' samples (by code); every source's when undefined. */
  sourceCodes?: ReadonlySet<string>;
  /** A further per-sample check (e.g. the axis). */
  accept?(sample: S): boolean;
  /**
   * Coalescing for dashboards: per key, at most this many samples per second, each the
   * latest one of its key at that moment; undefined = every sample.
   */
  maxRatePerSecond?: number;
  /** What coalesces (a source, or a source and part such as an axis). */
  key(sample: S): string | number;
  /** Samples waiting for a slow subscriber; beyond, the oldest are dropped. */
  maxQueued: number;
  onDropped(count: number): void;
}

/**
 * One subscription's samples: the batched events of the PubSub flattened into single samples
 * (the same objects for every subscriber: payloads are built once per event), filtered with
 * cheap synchronous checks, optionally coalesced to a rate. Ending it (return) releases the
 * PubSub listener, the timer and everything queued.
 */
export class SampleStream<S> implements AsyncIterableIterator<S> {
  private queue: (S | undefined)[] = [];
  private head = 0;
  private readonly waiting: Array<(result: IteratorResult<S>) => void> = [];
  private readonly latest = new Map<string | number, S>();
  private readonly intervalMs?: number;
  private lastFlush = -Infinity;
  private timer?: NodeJS.Timeout;
  private open = true;

  constructor(
    private readonly source: AsyncIterableIterator<SamplesAdded<S>>,
    private readonly options: SampleStreamOptions<S>,
  ) {
    if (options.maxRatePerSecond) this.intervalMs = 1000 / options.maxRatePerSecond;
    void this.pump();
  }

  next(): Promise<IteratorResult<S>> {
    if (this.head < this.queue.length) {
      const value = this.queue[this.head]!;
      this.queue[this.head++] = undefined;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (!this.open) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async return(): Promise<IteratorResult<S>> {
    await this.close();
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<S>> {
    await this.close();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private async pump(): Promise<void> {
    const { sourceCodes, accept } = this.options;
    try {
      for await (const event of this.source) {
        if (!this.open) break;
        if (sourceCodes && !sourceCodes.has(event.sourceCode)) continue;
        for (const sample of event.samples) if (!accept || accept(sample)) this.offer(sample);
        if (this.latest.size) this.schedule();
      }
    } finally {
      // The PubSub ended the source (shutdown): end the subscription too, once drained.
      this.open = false;
      this.release();
    }
  }

  private offer(sample: S): void {
    if (this.intervalMs === undefined) this.push(sample);
    else this.latest.set(this.options.key(sample), sample);
  }

  private push(sample: S): void {
    const waiting = this.waiting.shift();
    if (waiting) return waiting({ value: sample, done: false });
    this.queue.push(sample);
    if (this.queue.length - this.head > this.options.maxQueued) {
      this.queue[this.head++] = undefined;
      this.options.onDropped(1);
    }
  }

  /** Leading edge: a sample after a quiet period goes out at once; within the interval, at its end. */
  private schedule(): void {
    if (this.timer) return;
    const wait = this.lastFlush + this.intervalMs! - performance.now();
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush(): void {
    this.timer = undefined;
    if (!this.open) return;
    this.lastFlush = performance.now();
    for (const sample of this.latest.values()) this.push(sample);
    this.latest.clear();
  }

  private release(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.latest.clear();
    for (const resolve of this.waiting.splice(0)) resolve({ value: undefined, done: true });
  }

  private async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    this.queue = [];
    this.head = 0;
    this.release();
    await this.source.return?.();
  }
}
