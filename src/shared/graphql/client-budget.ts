/** How much a client may have running, and how many operations waiting, at once. */
export interface ClientBudgetLimits {
  /** What the running operations of one client may weigh together. */
  budget: number;
  waiting: number;
}

/** The client already has as many operations waiting as it may. */
export class ClientQueueFullError extends Error {
  constructor(readonly waiting: number) {
    super(`Too many operations at once: ${waiting} are already waiting`);
  }
}

interface ClientLoad {
  /** The weights of the running operations, added up. */
  weight: number;
  running: number;
  queue: Array<{ weight: number; start: () => void }>;
}

/**
 * Per client, operations run while their weights together stay within the budget; the next
 * ones wait in arrival order (at most `waiting` of them, beyond that they are refused). The
 * event loop serves whatever is ready first, so without this a client with many costly
 * operations in flight stands in front of every other client's next step.
 */
export class ClientBudget {
  private readonly clients = new Map<string, ClientLoad>();

  constructor(private readonly limits: ClientBudgetLimits) {}

  /** Waits until `weight` fits in the client's budget; the function returned gives it back (once). */
  async acquire(client: string, weight: number): Promise<() => void> {
    const share = Math.min(Math.ceil(weight), this.limits.budget);
    const load = this.clients.get(client) ?? { weight: 0, running: 0, queue: [] };
    this.clients.set(client, load);
    if (!load.queue.length && load.weight + share <= this.limits.budget) this.start(load, share);
    else if (load.queue.length >= this.limits.waiting) throw new ClientQueueFullError(load.queue.length);
    // Counted as running by whoever lets it start (see release).
    else await new Promise<void>((start) => load.queue.push({ weight: share, start }));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(client, load, share);
    };
  }

  /** How many operations run and wait, over every client. */
  size(): { running: number; waiting: number } {
    let running = 0;
    let waiting = 0;
    for (const load of this.clients.values()) {
      running += load.running;
      waiting += load.queue.length;
    }
    return { running, waiting };
  }

  private start(load: ClientLoad, share: number): void {
    load.weight += share;
    load.running++;
  }

  private release(client: string, load: ClientLoad, share: number): void {
    load.weight -= share;
    load.running--;
    while (load.queue.length && load.weight + load.queue[0].weight <= this.limits.budget) {
      const next = load.queue.shift()!;
      this.start(load, next.weight);
      next.start();
    }
    if (load.running === 0 && !load.queue.length) this.clients.delete(client);
  }
}
