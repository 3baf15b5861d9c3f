/** One received QoS 1 message waiting for its PUBACK. */
export interface PendingPuback {
  readonly messageId: number;
}

interface Entry extends PendingPuback {
  done: boolean;
  next?: Entry;
}

/**
 * The PUBACKs owed on one connection, in the order the PUBLISHes arrived. Messages finish
 * in any order, but MQTT 3.1.1 §4.6 wants PUBACKs in arrival order, so a finished message
 * is acknowledged only once every message received before it is acknowledged too.
 */
export class PubackQueue {
  private head?: Entry;
  private tail?: Entry;
  private readonly pending = new Map<number, Entry>();

  get size(): number {
    return this.pending.size;
  }

  /**
   * Tracks a new message; undefined when a message with this id is already pending (a
   * broker resending it before we acknowledged: the first copy's PUBACK covers both).
   */
  add(messageId: number): PendingPuback | undefined {
    if (this.pending.has(messageId)) return undefined;
    const entry: Entry = { messageId, done: false };
    this.pending.set(messageId, entry);
    if (this.tail) this.tail.next = entry;
    else this.head = entry;
    this.tail = entry;
    return entry;
  }

  /** Marks a message finished; returns the ids to acknowledge now, in order (maybe none). */
  complete(pending: PendingPuback): number[] {
    const entry = pending as Entry;
    if (this.pending.get(entry.messageId) !== entry) return [];
    entry.done = true;
    const ready: number[] = [];
    while (this.head?.done) {
      ready.push(this.head.messageId);
      this.pending.delete(this.head.messageId);
      this.head = this.head.next;
    }
    if (!this.head) this.tail = undefined;
    return ready;
  }

  /** Forgets everything (the connection is gone); returns how many were finished but unacknowledged. */
  clear(): number {
    let finished = 0;
    for (const entry of this.pending.values()) if (entry.done) finished++;
    this.pending.clear();
    this.head = this.tail = undefined;
    return finished;
  }
}
