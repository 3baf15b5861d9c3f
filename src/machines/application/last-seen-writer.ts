export interface SeenAt {
  machineId: number;
  at: Date;
}

export interface LastSeenWriterOptions {
  /**
   * Writes the marks in one statement, moving last seen only forward; resolves with the
   * machines it had to leave for later (their row was busy in a running transaction).
   */
  write(seen: readonly SeenAt[]): Promise<number[]>;
  /** The least time between two writes. */
  intervalMs: number;
  /** Told when writing starts failing (the marks are kept) and when it works again. */
  onFailure(error: Error): void;
  onRecovery(): void;
}

/**
 * Write-behind of machines' last seen. A mark costs a map update and never waits for the
 * database; the marks of an interval are coalesced to the latest per machine and written
 * in one statement, at most once per interval. Marks that could not be written (database
 * down, row busy) are kept and written with the next ones. `seenAt` answers with the later
 * of a stored value and this process's own latest mark, so that its reads are never behind
 * its writes.
 */
export class LastSeenWriter {
  private pending = new Map<number, number>();
  /** The latest mark of every machine marked here: what this process knows before the database does. */
  private readonly latest = new Map<number, number>();
  private timer?: NodeJS.Timeout;
  private writing?: Promise<void>;
  private failing = false;
  private closed = false;

  constructor(private readonly options: LastSeenWriterOptions) {}

  mark(machineIds: readonly number[], at: Date): void {
    const ms = at.getTime();
    for (const id of machineIds) {
      keepLater(this.latest, id, ms);
      keepLater(this.pending, id, ms);
    }
    this.schedule();
  }

  /** The later of the stored last seen and this process's latest mark. */
  seenAt(machineId: number, stored: Date | null): Date | null {
    const marked = this.latest.get(machineId);
    if (marked === undefined || (stored && stored.getTime() >= marked)) return stored;
    return new Date(marked);
  }

  /** The machine is gone: its marks are dropped. */
  forget(machineId: number): void {
    this.latest.delete(machineId);
    this.pending.delete(machineId);
  }

  /** Writes what is marked now (after a write already running). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
    if (!this.pending.size) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.writing = this.write().finally(() => {
      this.writing = undefined;
      this.schedule();
    });
    await this.writing;
  }

  /** At shutdown, before the database closes: the last marks are written, no timer is left. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private schedule(): void {
    if (this.timer || this.writing || this.closed || !this.pending.size) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.options.intervalMs);
    this.timer.unref();
  }

  private async write(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    const seen = [...batch].map(([machineId, ms]) => ({ machineId, at: new Date(ms) }));
    let left: number[];
    try {
      left = await this.options.write(seen);
      if (this.failing) this.options.onRecovery();
      this.failing = false;
    } catch (error) {
      left = [...batch.keys()];
      if (!this.failing) this.options.onFailure(error as Error);
      this.failing = true;
    }
    for (const id of left) if (this.latest.has(id)) keepLater(this.pending, id, batch.get(id)!);
  }
}

function keepLater(map: Map<number, number>, id: number, ms: number): void {
  const known = map.get(id);
  if (known === undefined || known < ms) map.set(id, ms);
}
