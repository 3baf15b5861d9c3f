import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { Transactions } from '../database/transactions.js';
import {
  bucketOf,
  LeaseLostError,
  type OwnershipListener,
  type SourceOwnership,
} from '../ownership/key-ownership.service.js';
import type { DerivedStage, StoredSamples } from './derived-state.js';
import {
  DEFAULT_DERIVED_STATE_SETTINGS,
  DerivedStateRunner,
  type DerivedStateSettings,
} from './derived-state-runner.js';

interface Reading {
  source: number;
  ts: Date;
}

const T0 = Date.UTC(2026, 11, 3, 8);
const r = (source: number, s: number): Reading => ({ source, ts: new Date(T0 + s * 1000) });
const seconds = (readings: readonly Reading[]) => readings.map((x) => (x.ts.getTime() - T0) / 1000);

/** A stage that remembers what it took in, per source: its state is the list of readings applied. */
class RecordingStage implements DerivedStage<Reading> {
  readonly name = 'recording';
  /** What the stage's tables hold (written in apply, kept across "restarts"). */
  readonly stored = new Map<number, Reading[]>();
  readonly memory = new Map<number, Reading[]>();
  failWrites = 0;

  async acquire(sources: readonly number[]): Promise<void> {
    for (const source of sources) this.memory.set(source, [...(this.stored.get(source) ?? [])]);
  }

  release(sources: readonly number[]): void {
    for (const source of sources) this.memory.delete(source);
  }

  watermark(source: number): Date | null {
    return this.memory.get(source)?.at(-1)?.ts ?? null;
  }

  catchUpFrom(): Date {
    return new Date(T0 - 3600_000);
  }

  async apply(bySource: ReadonlyMap<number, readonly Reading[]>): Promise<() => void> {
    if (this.failWrites > 0) {
      this.failWrites--;
      throw new Error('connection lost');
    }
    for (const [source, readings] of bySource)
      this.stored.set(source, [...(this.stored.get(source) ?? []), ...readings]);
    return () => {
      for (const [source, readings] of bySource)
        this.memory.set(source, [...(this.memory.get(source) ?? []), ...readings]);
    };
  }

  applied(source: number): number[] {
    return seconds(this.stored.get(source) ?? []);
  }
}

/** The committed samples table. */
class Store implements StoredSamples<Reading> {
  readonly rows: Reading[] = [];

  async after(source: number, after: Date, limit: number): Promise<Reading[]> {
    return this.rows
      .filter((x) => x.source === source && x.ts > after)
      .sort((a, b) => a.ts.getTime() - b.ts.getTime())
      .slice(0, limit);
  }

  async sourcesWithSamplesAfter(watermarks: ReadonlyMap<number, Date>): Promise<number[]> {
    return [...watermarks]
      .filter(([source, after]) => this.rows.some((x) => x.source === source && x.ts > after))
      .map(([s]) => s);
  }
}

/** Ownership in memory: which buckets this process holds, and how many processes share them. */
class Ownership implements SourceOwnership {
  held = new Set<number>();
  alive = 1;
  lost = new Set<number>();
  private readonly listeners: OwnershipListener[] = [];

  owns = (source: number) => this.held.has(bucketOf(source));
  bucketOf = bucketOf;
  members = () => this.alive;
  fence = async (sources: readonly number[]) => {
    if (sources.some((source) => this.lost.has(source))) throw new LeaseLostError(sources);
  };
  listen(listener: OwnershipListener): void {
    this.listeners.push(listener);
    if (this.held.size) listener.acquired(new Set(this.held));
  }
  take(...sources: number[]): void {
    const buckets = new Set(sources.map(bucketOf));
    for (const bucket of buckets) this.held.add(bucket);
    for (const listener of this.listeners) listener.acquired(buckets);
  }
  give(...sources: number[]): void {
    const buckets = new Set(sources.map(bucketOf));
    for (const bucket of buckets) this.held.delete(bucket);
    for (const listener of this.listeners) listener.released(buckets);
  }
}

const NO_TRANSACTION: Transactions = { run: (work) => work() };

/** Polls until `done`, failing after a deadline. */
async function until(done: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
const runners: DerivedStateRunner<Reading>[] = [];

beforeAll(() => Logger.overrideLogger(false));
afterEach(async () => {
  for (const runner of runners.splice(0)) await runner.close();
});

function setup(settings: Partial<DerivedStateSettings> = {}, owned: number[] = [1, 2]) {
  const stage = new RecordingStage();
  const store = new Store();
  const ownership = new Ownership();
  for (const source of owned) ownership.held.add(bucketOf(source));
  const sut = new DerivedStateRunner<Reading>(
    stage,
    store,
    (x) => x.source,
    () => [1, 2, 3],
    ownership,
    NO_TRANSACTION,
    {
      ...DEFAULT_DERIVED_STATE_SETTINGS,
      retryMs: 5,
      ...settings,
    },
  );
  runners.push(sut);
  /** As the ingestion path does: committed first, then offered. */
  const commit = async (...readings: Reading[]) => {
    store.rows.push(...readings);
    await sut.offer(readings);
  };
  return { sut, stage, store, ownership, commit };
}

describe('DerivedStateRunner', () => {
  it('applies each owned source in time order, once, and leaves a late sample to the stage rule', async () => {
    const { sut, stage, commit } = setup();
    await sut.idle();
    await commit(r(1, 1), r(2, 1), r(1, 2));
    await commit(r(1, 3));
    await sut.settled();
    // Already stored and applied: offered again (a replay), nothing changes.
    await sut.offer([r(1, 2)]);
    // Older than what source 1 has taken in (a lone process does not wait for stragglers).
    await commit(r(1, 0.5));
    await sut.settled();
    expect(stage.applied(1)).toEqual([1, 2, 3]);
    expect(stage.applied(2)).toEqual([1]);
  });

  it('with several replicas, waits reorderMs so that a sample stored a moment earlier elsewhere comes first', async () => {
    for (const [replicas, expected] of [
      [2, [1, 2]],
      // A lone process has no stragglers to wait for: what comes after a newer sample is late.
      [1, [2]],
    ] as const) {
      const { sut, stage, ownership, commit } = setup({ reorderMs: 300 });
      ownership.alive = replicas;
      await sut.idle();
      await commit(r(1, 2));
      // The other replica stored an older sample just before, and hands it over a moment later.
      await new Promise((resolve) => setTimeout(resolve, 30));
      await commit(r(1, 1));
      await until(() => stage.applied(1).length === expected.length);
      await sut.settled();
      expect(stage.applied(1)).toEqual(expected);
    }
  });

  it('catches a new source up only as far as it was offered: a batch that committed ahead of an earlier one waits its turn', async () => {
    const { sut, stage, store } = setup();
    await sut.idle();
    // Source 65 is in an owned bucket, registered after the bucket was taken: its first batch loads it.
    const batch = (from: number) => [0, 1, 2].map((k) => r(65, from + k));
    const [a, b, c] = [batch(1), batch(4), batch(7)];
    // The writes of b and c run at once and c commits first, while a, the first batch, is offered.
    store.rows.push(...a, ...c);
    await sut.offer(a);
    await sut.settled();
    store.rows.push(...b);
    await sut.offer(b);
    await sut.offer(c);
    await sut.settled();
    expect(stage.applied(65)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('catches a source up from the store when it takes it over, and forgets it when it loses it', async () => {
    const { sut, stage, store, ownership, commit } = setup({}, [1]);
    store.rows.push(r(2, 1), r(2, 2));
    await sut.idle();
    expect(stage.memory.has(2)).toBe(false);
    ownership.take(2);
    await sut.settled();
    expect(stage.applied(2)).toEqual([1, 2]);

    ownership.give(2);
    await commit(r(2, 3));
    await sut.settled();
    expect(stage.memory.has(2)).toBe(false);
    expect(stage.applied(2)).toEqual([1, 2]);
    // Taken back: the sample stored meanwhile is caught up.
    ownership.take(2);
    await sut.settled();
    expect(stage.applied(2)).toEqual([1, 2, 3]);
  });

  it('writes nothing for a source whose lease moved on, and lets it go', async () => {
    const { sut, stage, ownership, commit } = setup();
    await sut.idle();
    await commit(r(1, 1));
    await sut.settled();
    ownership.lost.add(1);
    await commit(r(1, 2));
    await sut.settled();
    expect(stage.applied(1)).toEqual([1]);
    expect(stage.memory.has(1)).toBe(false);
  });

  it('loses nothing when a write fails: the source is caught up from the store, each sample once', async () => {
    const { sut, stage, commit } = setup();
    await sut.idle();
    await commit(r(1, 1));
    stage.failWrites = 1;
    await commit(r(1, 2), r(1, 3));
    await sut.settled();
    expect(stage.applied(1)).toEqual([1]);
    await commit(r(1, 4));
    await sut.settled();
    expect(stage.applied(1)).toEqual([1, 2, 3, 4]);
  });

  it('catches up a quiet source whose samples never reached it (a hand-off lost)', async () => {
    const { sut, stage, store } = setup({ reconcileMs: 20 });
    await sut.idle();
    store.rows.push(r(1, 1), r(1, 2));
    await until(() => stage.applied(1).length === 2);
    expect(stage.applied(1)).toEqual([1, 2]);
  });

  it('makes the hand-off wait once too many samples are queued', async () => {
    const { sut, stage, ownership, commit } = setup({ maxQueued: 2, reorderMs: 50 });
    ownership.alive = 2;
    await sut.idle();
    let waited = true;
    const offered = commit(r(1, 1), r(1, 2), r(1, 3)).then(() => (waited = false));
    await Promise.resolve();
    expect(waited).toBe(true);
    await offered;
    await sut.settled();
    expect(stage.applied(1)).toEqual([1, 2, 3]);
  });
});
