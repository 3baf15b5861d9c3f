/**
 * The newest sample per source (per source and part, e.g. axis) of one kind, in memory, for
 * a dashboard's first paint. Loaded at start with one bounded query, then kept current from
 * committed samples — and from other replicas' live events, which is what makes it complete
 * when shared subscriptions split the messages between replicas. An older sample (replayed,
 * late) never replaces a newer one.
 */
export class LatestSamples<S extends { ts: Date }> {
  private readonly bySource = new Map<number, Map<string, S>>();

  constructor(
    private readonly sourceOf: (sample: S) => number,
    private readonly partOf: (sample: S) => string,
  ) {}

  apply(samples: readonly S[]): void {
    for (const sample of samples) {
      const source = this.sourceOf(sample);
      let parts = this.bySource.get(source);
      if (!parts) this.bySource.set(source, (parts = new Map()));
      const part = this.partOf(sample);
      const current = parts.get(part);
      if (!current || current.ts.getTime() <= sample.ts.getTime()) parts.set(part, sample);
    }
  }

  /** The source's newest sample of each part, by part. */
  of(source: number): S[] {
    const parts = this.bySource.get(source);
    if (!parts) return [];
    return [...parts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, sample]) => sample);
  }

  forget(source: number): void {
    this.bySource.delete(source);
  }
}
