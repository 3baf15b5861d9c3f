export interface SamplePipelineOptions<T> {
  /** Stores the rows; resolves after commit with those that were new (the same objects). */
  write(rows: readonly T[]): Promise<T[]>;
  /** Hands committed rows to the post-commit stages (derived state, latest values, live); sorted with `compare`. */
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
 * One sample kind's path from validated samples to "committed and handed on": `ingest`
 * resolves only once the rows are stored AND the post-commit stages have taken the new
 * ones, so the MQTT message is acknowledged after both.
 *
 * - Hand-offs follow the order of the `ingest` calls (the order messages arrived), not the
 *   order their writes happened to commit in: the batch writer runs two statements at once,
 *   and a later one may commit first. A write that fails gives up its turn.
 * - Hand-offs are serialised and merged: the rows of every write whose turn came while the
 *   previous hand-off ran (typically all messages of one database batch) go on in one call,
 *   sorted with `compare` (source, then time). Stages thus see each source's samples in
 *   order, and pay their per-call cost (a query, a publish) once per batch, not per message.
 * - A failed hand-off fails its messages, which the MQTT layer retries; their rows are
 *   then already stored (duplicates, which are normally not handed on). The keys of such
 *   rows are remembered, so that the retry hands them on after all.
 */
export class SamplePipeline<T> {
  /** Finished writes by turn; null for a turn given up (failed, or nothing new to hand on). */
  private readonly turns = new Map<number, Waiting<T> | null>();
  private nextTurn = 0;
  private turnToHandOff = 0;
  private readonly undelivered = new Set<string>();
  private draining = false;

  constructor(private readonly options: SamplePipelineOptions<T>) {}

  async ingest(rows: readonly T[]): Promise<void> {
    if (!rows.length) return;
    const turn = this.nextTurn++;
    let stored: T[];
    try {
      stored = await this.options.write(rows);
    } catch (error) {
      this.finish(turn, null);
      throw error;
    }
    const fresh = stored.length < rows.length && this.undelivered.size ? this.withUndelivered(rows, stored) : stored;
    if (!fresh.length) return this.finish(turn, null);
    return new Promise((resolve, reject) => this.finish(turn, { rows: fresh, resolve, reject }));
  }

  private withUndelivered(rows: readonly T[], stored: T[]): T[] {
    const isNew = new Set(stored);
    const fresh = [...stored];
    for (const row of rows) if (!isNew.has(row) && this.undelivered.has(this.options.key(row))) fresh.push(row);
    return fresh;
  }

  private finish(turn: number, waiting: Waiting<T> | null): void {
    this.turns.set(turn, waiting);
    // After the current I/O callback: every write of the batch that just committed has finished by then.
    if (!this.draining && this.turns.has(this.turnToHandOff)) {
      this.draining = true;
      setImmediate(() => void this.drain());
    }
  }

  private takeDueTurns(): Waiting<T>[] {
    const group: Waiting<T>[] = [];
    while (this.turns.has(this.turnToHandOff)) {
      const waiting = this.turns.get(this.turnToHandOff)!;
      this.turns.delete(this.turnToHandOff++);
      if (waiting) group.push(waiting);
    }
    return group;
  }

  private async drain(): Promise<void> {
    for (let group = this.takeDueTurns(); group.length; group = this.takeDueTurns()) {
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
