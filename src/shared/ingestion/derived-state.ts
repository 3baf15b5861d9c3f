/**
 * Derived state: what a context computes from a kind's committed samples, per source, in
 * time order (machine state from electrical samples; anomaly levels from ppmv; PV alarm
 * episodes from PV values). A stage holds its sources' state in memory and in its own
 * tables; DerivedStateRunner feeds it and decides when, so that on any number of replicas
 * each source is derived by exactly one process.
 */
export interface DerivedStage<S extends { ts: Date }> {
  /** Names the stage in logs: 'machine state'. */
  readonly name: string;
  /** This process now derives these sources: load what is stored of their state. */
  acquire(sources: readonly number[]): Promise<void>;
  /** Another process derives these sources now, or they are gone: forget them (memory only). */
  release(sources: readonly number[]): void;
  /** The newest sample the source's state has taken in; null when it has none yet. */
  watermark(source: number): Date | null;
  /** Where a source without any state starts its catch-up (e.g. a day back). */
  catchUpFrom(): Date;
  /**
   * Writes what these samples change: per source in time order, each newer than its
   * watermark. Runs inside a transaction (the Transactions port) in which the runner has
   * checked this process's lease on the sources; writes must join it. Returns what to do
   * once it committed (move memory on, announce changes): never before.
   */
  apply(bySource: ReadonlyMap<number, readonly S[]>): Promise<() => Promise<void> | void>;
}

/** The committed samples a stage catches up from. */
export interface StoredSamples<S> {
  /** The source's samples newer than `after`, oldest first, at most `limit`. */
  after(source: number, after: Date, limit: number): Promise<S[]>;
  /** Of the given sources, those with samples stored after their watermark. */
  sourcesWithSamplesAfter(watermarks: ReadonlyMap<number, Date>): Promise<number[]>;
}
