import { Logger } from '@nestjs/common';
import type { Transactions } from '../database/transactions.js';
import { LeaseLostError, type SourceOwnership } from '../ownership/key-ownership.service.js';
import { LogThrottle } from '../observability/log-throttle.js';
import type { DerivedStage, StoredSamples } from './derived-state.js';

export interface DerivedStateSettings {
  /**
   * With several replicas, a source's samples reach its owner from more than one of them:
   * they wait this long after arriving, so that one stored a moment earlier elsewhere is
   * applied before them rather than found too late (DERIVED_STATE_REORDER_MS). A lone
   * process does not wait.
   */
  reorderMs: number;
  /** A source fed nothing for this long whose store holds samples past its watermark is caught up (a hand-off lost). */
  reconcileMs: number;
  /** Samples waiting to be applied beyond which the hand-off waits: MQTT acknowledgements, and the broker, hold the rest. */
  maxQueued: number;
  /** Samples read per query while catching up. */
  catchUpChunk: number;
  /** After a failed write, how long before the sources are caught up from the store. */
  retryMs: number;
}

export const DEFAULT_DERIVED_STATE_SETTINGS: DerivedStateSettings = {
  reorderMs: 500,
  reconcileMs: 5_000,
  maxQueued: 20_000,
  catchUpChunk: 5_000,
  retryMs: 1_000,
};

/** A task running longer than this is logged as holding up its stage (it should take milliseconds). */
const STUCK_TASK_MS = 30_000;

/** How far a catch-up reads: every stored sample, or those up to the newest offered (a source being fed). */
type CatchUpReach = 'all' | 'offered';

interface Arrival<S> {
  samples: readonly S[];
  at: number;
}

/**
 * Runs one derived stage on the sources this process owns (SourceOwnership): committed
 * samples are applied in time order per source, one batch at a time, each in a transaction
 * fenced by the lease; a source this process takes over is loaded and caught up from the
 * stored samples; one it loses is forgotten. Between them, every committed sample of a
 * source is applied once, by its owner:
 *
 * - the hand-off (`offer`) does not wait for the state (up to `maxQueued` behind): the
 *   samples are committed first, so a crash loses nothing — the next owner catches up;
 * - a failed write marks its sources stale; they are caught up from the store, first thing
 *   before their next batch and by a retry timer;
 * - a write after the lease moved on fails the fence: the sources are let go, the new
 *   owner has them;
 * - a sample older than its source's watermark when it comes to be applied (it arrived
 *   late, beyond the reorder wait) is left to the stage's own rule for late samples: it is
 *   not applied (machine state never rewrites a timeline that moved on);
 * - a catch-up of a source that is being fed (a new source's first batch, a failed write)
 *   reads the store only up to the newest sample offered for it: the writes of the next
 *   batches may commit out of order (the batch writer runs two statements at once), and a
 *   later batch read from the store ahead of an earlier one would make the earlier one late,
 *   never applied. What lies beyond comes in order through `offer`.
 */
export class DerivedStateRunner<S extends { ts: Date }> {
  private readonly logger: Logger;
  private readonly failureLog = new LogThrottle(60_000);
  private work: Promise<void> = Promise.resolve();
  private arrivals: Arrival<S>[] = [];
  private queued = 0;
  private readonly roomWaiters: Array<() => void> = [];
  /** Sources whose state the stage holds (acquired). */
  private readonly loaded = new Set<number>();
  /** Sources whose last write failed: caught up from the store before anything else of theirs. */
  private readonly stale = new Set<number>();
  /** Owned sources whose state could not be loaded yet. */
  private readonly toLoad = new Set<number>();
  /** When each source was last fed, for the reconciliation of quiet sources. */
  private readonly fedAt = new Map<number, number>();
  /** The newest sample offered per source: how far a catch-up of a source being fed may read. */
  private readonly offeredUpTo = new Map<number, number>();
  private draining = false;
  private drainTimer?: NodeJS.Timeout;
  private readonly reconcileTimer: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly stage: DerivedStage<S>,
    private readonly stored: StoredSamples<S>,
    private readonly sourceOf: (sample: S) => number,
    /** Every registered source: those in a bucket just acquired are loaded at once. */
    private readonly allSources: () => readonly number[],
    private readonly ownership: SourceOwnership,
    private readonly transactions: Transactions,
    private readonly settings: DerivedStateSettings,
  ) {
    this.logger = new Logger(`DerivedState(${stage.name})`);
    this.reconcileTimer = setInterval(() => void this.serialise(() => this.reconcile()), settings.reconcileMs);
    this.reconcileTimer.unref();
    ownership.listen({
      acquired: (buckets) => void this.serialise(() => this.take(this.sourcesIn(buckets, this.allSources()))),
      released: (buckets) => void this.serialise(async () => this.letGo(this.sourcesIn(buckets, [...this.loaded]))),
    });
  }

  /**
   * Committed samples (sorted by source, then time) of sources this process owns. Resolves
   * at once unless too many wait already.
   */
  offer(samples: readonly S[]): Promise<void> {
    if (!samples.length || this.stopped) return Promise.resolve();
    for (const sample of samples) {
      const source = this.sourceOf(sample);
      const ts = sample.ts.getTime();
      if (!(ts <= (this.offeredUpTo.get(source) ?? -Infinity))) this.offeredUpTo.set(source, ts);
    }
    this.arrivals.push({ samples, at: Date.now() });
    this.queued += samples.length;
    this.scheduleDrain();
    if (this.queued <= this.settings.maxQueued) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** The source is deleted: its state goes once the batch being applied is done (the caller then deletes its rows). */
  forget(source: number): Promise<void> {
    return this.serialise(async () => this.letGo([source]));
  }

  /** Resolves once the work queued so far (the first load included) is done. */
  idle(): Promise<void> {
    return this.work;
  }

  /** Resolves once everything offered so far is applied (or failed over to a catch-up). */
  async settled(): Promise<void> {
    while (this.arrivals.length || this.draining) {
      clearTimeout(this.drainTimer);
      this.drainTimer = undefined;
      this.draining = true;
      await this.serialise(() => this.drain(0));
    }
    await this.work;
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearInterval(this.reconcileTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.drainTimer);
    for (const resolve of this.roomWaiters.splice(0)) resolve();
    await this.work;
  }

  private serialise(task: () => Promise<void>): Promise<void> {
    const run = this.work.then(() => this.watched(task));
    this.work = run.catch((error: Error) => this.logFailure('A derived-state task failed', error));
    return this.work;
  }

  /** Runs a task, logging when it has held up the stage for long: everything after it waits. */
  private async watched(task: () => Promise<void>): Promise<void> {
    const began = Date.now();
    const watchdog = setTimeout(
      () => this.logger.error(`A task of this stage has run for ${(Date.now() - began) / 1000} s; later batches wait`),
      STUCK_TASK_MS,
    );
    watchdog.unref();
    try {
      await task();
    } finally {
      clearTimeout(watchdog);
    }
  }

  private holdMs(): number {
    return this.ownership.members() > 1 ? this.settings.reorderMs : 0;
  }

  private scheduleDrain(): void {
    if (this.draining || this.drainTimer || !this.arrivals.length || this.stopped) return;
    const hold = this.holdMs();
    const wait = this.arrivals[0].at + hold - Date.now();
    if (wait > 0) {
      this.drainTimer = setTimeout(() => {
        this.drainTimer = undefined;
        this.scheduleDrain();
      }, wait);
      return;
    }
    this.draining = true;
    void this.serialise(() => this.drain(hold));
  }

  /** Applies what has waited long enough, all of it in one batch per round, until nothing is due. */
  private async drain(hold: number): Promise<void> {
    try {
      for (;;) {
        const due = Date.now() - hold;
        let count = 0;
        while (count < this.arrivals.length && this.arrivals[count].at <= due) count++;
        if (!count) return;
        const taken = this.arrivals.splice(0, count);
        if (this.arrivals.length) taken.push(this.olderThanTaken(taken));
        for (const arrival of taken) this.queued -= arrival.samples.length;
        if (this.queued <= this.settings.maxQueued) for (const resolve of this.roomWaiters.splice(0)) resolve();
        await this.applyArrived(taken);
      }
    } finally {
      this.draining = false;
      this.scheduleDrain();
    }
  }

  /**
   * Samples still waiting that are older than a sample of the same source about to be
   * applied: they go with it (in time order) rather than arrive too late after it.
   */
  private olderThanTaken(taken: readonly Arrival<S>[]): Arrival<S> {
    const newest = new Map<number, number>();
    for (const { samples } of taken)
      for (const sample of samples) {
        const source = this.sourceOf(sample);
        newest.set(source, Math.max(newest.get(source) ?? -Infinity, sample.ts.getTime()));
      }
    const pulled: S[] = [];
    for (const arrival of this.arrivals) {
      const older = arrival.samples.filter((s) => s.ts.getTime() <= (newest.get(this.sourceOf(s)) ?? -Infinity));
      if (!older.length) continue;
      pulled.push(...older);
      const moved = new Set(older);
      arrival.samples = arrival.samples.filter((s) => !moved.has(s));
    }
    this.arrivals = this.arrivals.filter((arrival) => arrival.samples.length);
    return { samples: pulled, at: Date.now() };
  }

  private async applyArrived(arrivals: readonly Arrival<S>[]): Promise<void> {
    const bySource = new Map<number, S[]>();
    const now = Date.now();
    for (const { samples } of arrivals)
      for (const sample of samples) {
        const source = this.sourceOf(sample);
        const list = bySource.get(source);
        if (list) list.push(sample);
        else bySource.set(source, [sample]);
      }
    for (const source of bySource.keys()) this.fedAt.set(source, now);
    const owned = [...bySource.keys()].filter((source) => this.ownership.owns(source));
    const unloaded = owned.filter((source) => !this.loaded.has(source));
    // New sources (registered after their bucket was taken) and stale ones come from the store: it holds these samples too.
    if (unloaded.length) await this.take(unloaded, 'offered');
    if (this.stale.size) await this.catchUp([...this.stale], 'offered');
    const ready = new Map<number, S[]>();
    for (const source of owned) {
      if (this.stale.has(source) || !this.loaded.has(source)) continue;
      const after = this.stage.watermark(source)?.getTime() ?? -Infinity;
      const fresh = bySource.get(source)!.filter((s) => s.ts.getTime() > after);
      if (fresh.length)
        ready.set(
          source,
          fresh.sort((a, b) => a.ts.getTime() - b.ts.getTime()),
        );
    }
    await this.commit(ready);
  }

  /** One fenced transaction; memory moves on only after it committed. Failures are handled here. */
  private async commit(bySource: ReadonlyMap<number, readonly S[]>): Promise<boolean> {
    if (!bySource.size) return true;
    const sources = [...bySource.keys()];
    try {
      const committed = await this.transactions.run(async () => {
        await this.ownership.fence(sources);
        return this.stage.apply(bySource);
      });
      await committed();
      return true;
    } catch (error) {
      if (error instanceof LeaseLostError) {
        this.letGo(sources);
        this.logger.warn(`${error.message} any more: left to the replica that owns them now`);
      } else {
        for (const source of sources) this.stale.add(source);
        this.logFailure('Applying samples failed; they will be caught up from the store', error as Error);
        this.scheduleRetry();
      }
      return false;
    }
  }

  /** Loads sources this process now owns and catches them up; a failure leaves them stale (retried). */
  private async take(sources: readonly number[], reach: CatchUpReach = 'all'): Promise<void> {
    const fresh = sources.filter((source) => !this.loaded.has(source) && this.ownership.owns(source));
    if (!fresh.length) return;
    try {
      await this.stage.acquire(fresh);
    } catch (error) {
      for (const source of fresh) this.toLoad.add(source);
      this.logFailure('Loading derived state failed; retrying', error as Error);
      this.scheduleRetry();
      return;
    }
    for (const source of fresh) {
      this.loaded.add(source);
      this.toLoad.delete(source);
    }
    await this.catchUp(fresh, reach);
  }

  private letGo(sources: readonly number[]): void {
    const known = sources.filter((source) => this.loaded.delete(source));
    for (const source of sources) {
      this.stale.delete(source);
      this.toLoad.delete(source);
      this.fedAt.delete(source);
      this.offeredUpTo.delete(source);
    }
    if (known.length) this.stage.release(known);
  }

  /**
   * Replays the stored samples each source has not taken in yet, in chunks: all of them, or
   * ('offered') for a source being fed only those up to the newest offered (see the class).
   */
  private async catchUp(sources: readonly number[], reach: CatchUpReach = 'all'): Promise<void> {
    const owned = sources.filter((source) => this.loaded.has(source) && this.ownership.owns(source));
    for (const source of sources) if (!owned.includes(source)) this.stale.delete(source);
    if (!owned.length) return;
    let behind: number[];
    try {
      behind = await this.stored.sourcesWithSamplesAfter(new Map(owned.map((s) => [s, this.startOf(s)])));
    } catch (error) {
      for (const source of owned) this.stale.add(source);
      this.logFailure('Catching up derived state failed; retrying', error as Error);
      this.scheduleRetry();
      return;
    }
    for (const source of owned) if (!behind.includes(source)) this.stale.delete(source);
    for (const source of behind) {
      this.stale.add(source);
      const until = reach === 'offered' ? (this.offeredUpTo.get(source) ?? Infinity) : Infinity;
      for (;;) {
        let samples: S[];
        try {
          samples = await this.stored.after(source, this.startOf(source), this.settings.catchUpChunk);
        } catch (error) {
          this.logFailure('Catching up derived state failed; retrying', error as Error);
          this.scheduleRetry();
          return;
        }
        const reachable = samples.filter((sample) => sample.ts.getTime() <= until);
        if (reachable.length && !(await this.commit(new Map([[source, reachable]])))) return;
        if (reachable.length < samples.length || samples.length < this.settings.catchUpChunk) break;
      }
      this.stale.delete(source);
    }
    if (behind.length) this.logger.log(`Caught up ${behind.length} source(s) from the stored samples`);
  }

  private startOf(source: number): Date {
    return this.stage.watermark(source) ?? this.stage.catchUpFrom();
  }

  /** Quiet sources whose store has samples past their watermark (a hand-off from another replica lost) are caught up. */
  private async reconcile(): Promise<void> {
    if (this.stopped) return;
    const quietSince = Date.now() - this.settings.reconcileMs;
    const quiet = [...this.loaded].filter((source) => (this.fedAt.get(source) ?? 0) <= quietSince);
    if (quiet.length || this.stale.size) await this.catchUp([...new Set([...quiet, ...this.stale])]);
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.serialise(async () => {
        if (this.toLoad.size) await this.take([...this.toLoad]);
        if (this.stale.size) await this.catchUp([...this.stale], 'offered');
      });
    }, this.settings.retryMs);
    this.retryTimer.unref();
  }

  private sourcesIn(buckets: ReadonlySet<number>, sources: readonly number[]): number[] {
    return sources.filter((source) => buckets.has(this.ownership.bucketOf(source)));
  }

  private logFailure(what: string, error: Error): void {
    const suppressed = this.failureLog.take(what);
    if (suppressed !== undefined)
      this.logger.error(
        `${what}: ${error.message}${suppressed ? ` (${suppressed} more not logged)` : ''}`,
        error.stack,
      );
  }
}
