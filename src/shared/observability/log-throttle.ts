/**
 * Decides whether a log line about `key` may be written: at most once per key per interval,
 * so a device flooding bad payloads cannot flood the log. Quiet keys are forgotten after an
 * interval or two, so memory stays bounded by the keys recently active.
 */
export class LogThrottle {
  private readonly seen = new Map<string, { loggedAt: number; suppressed: number }>();
  private lastSweep = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The number of lines suppressed for `key` since it was last logged, or undefined when this one is suppressed too. */
  take(key: string): number | undefined {
    const now = this.now();
    this.sweep(now);
    const entry = this.seen.get(key);
    if (!entry || now - entry.loggedAt >= this.intervalMs) {
      this.seen.set(key, { loggedAt: now, suppressed: 0 });
      return entry?.suppressed ?? 0;
    }
    entry.suppressed++;
    return undefined;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.intervalMs) return;
    this.lastSweep = now;
    for (const [key, entry] of this.seen)
      if (now - entry.loggedAt >= (entry.suppressed ? 2 : 1) * this.intervalMs) this.seen.delete(key);
  }
}
