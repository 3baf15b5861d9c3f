export interface SamplePipelineOptions<T> {
  /** Stores the rows; resolves after commit with those that were new (the same objects). */
  write(rows: readonly T[]): Promise<T[]>;
  /** Hands committed rows to derived state and live subscribers; sorted with `compare`. */
  deliver(rows: readonly T[]): Promise<void>;
  /** The sample's identity, as the table's primary key. */
  key(row: T): string;
  compare(a: T, b: T): number;
}

interface Waiting<T> {
  rows: T[];
  resolve(): void;
  reject(error: unknown): void;
}

/** Rows whose hand-off failed that are remembered for their message's retry; beyond, they are not. */
const MAX_UNDELIVERED = 100_000;

/**
 * One table's path from validated samples to "committed and handed on": `ingest` resolves
 * only once the rows are stored AND the listeners have seen the new ones, so the MQTT
 * message is acknowledged after both.
 *
 * - Hand-offs are serialised and merged: the rows of every write that committed while the
 *   previous hand-off ran (typically all messages of one database batch) go to the
 *   listeners in one call, sorted by machine and time. Listeners thus see each machine's
 *   samples in order, and pay their per-call cost (a query, a publish) once per batch,
 *   not once per message.
 * - A failed hand-off fails its messages, which the MQTT layer retries; their rows are
 *   then already stored (duplicates, which are normally not handed on). The keys of such
 *   rows are remembered, so that the retry hands them on after all.
 */
export class SamplePipeline<T> {
  private readonly waiting: Waiting<T>[] = [];
  private readonly undelivered = new Set<string>();
  private draining = false;

  constructor(private readonly options: SamplePipelineOptions<T>) {}

  async ingest(rows: readonly T[]): Promise<void> {
    if (!rows.length) return;
    const stored = await this.options.write(rows);
    const fresh = stored.length < rows.length && this.undelivered.size ? this.withUndelivered(rows, stored) : stored;
    if (fresh.length) await this.handOff(fresh);
  }

  private withUndelivered(rows: readonly T[], stored: T[]): T[] {
    const isNew = new Set(stored);
    const fresh = [...stored];
    for (const row of rows) if (!isNew.has(row) && this.undelivered.has(this.options.key(row))) fresh.push(row);
    return fresh;
  }

  private handOff(rows: T[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ rows, resolve, reject });
      // After the current I/O callback: every write of the batch that just committed is waiting by then.
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length) {
      const group = this.waiting.splice(0);
      const rows = group.length === 1 ? group[0].rows : group.flatMap((waiting) => waiting.rows);
      if (!isSorted(rows, this.options.compare)) rows.sort(this.options.compare);
      try {
        await this.options.deliver(rows);
      } catch (error) {
        this.remember(rows);
        for (const waiting of group) waiting.reject(error);
        continue;
      }
      if (this.undelivered.size) for (const row of rows) this.undelivered.delete(this.options.key(row));
      for (const waiting of group) waiting.resolve();
    }
    this.draining = false;
  }

  private remember(rows: readonly T[]): void {
    for (const row of rows) {
      if (this.undelivered.size >= MAX_UNDELIVERED) return;
      this.undelivered.add(this.options.key(row));
    }
  }
}

function isSorted<T>(rows: readonly T[], compare: (a: T, b: T) => number): boolean {
  for (let i = 1; i < rows.length; i++) if (compare(rows[i - 1], rows[i]) > 0) return false;
  return true;
}
