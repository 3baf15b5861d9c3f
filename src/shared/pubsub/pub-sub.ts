import type { PubSubEngine } from 'graphql-subscriptions';

/**
 * The PubSub port: application code publishes typed events on constant topics;
 * subscriptions iterate them. In memory by default, Redis across replicas (pubsub.module.ts).
 */
export class PubSub {
  private active = 0;

  constructor(private readonly engine: PubSubEngine) {}

  publish<T>(topic: string, payload: T): Promise<void> {
    return this.engine.publish(topic, payload);
  }

  /** An iterator over events on `topics`; ending it (return/throw) releases every listener. */
  subscribe<T>(topics: string | readonly string[]): AsyncIterableIterator<T> {
    return new EventIterator<T>(this.engine, typeof topics === 'string' ? [topics] : topics, (delta) => {
      this.active += delta;
    });
  }

  /** Iterators currently open on this instance (a subscription leak shows here). */
  activeSubscriptions(): number {
    return this.active;
  }
}

class EventIterator<T> implements AsyncIterableIterator<T> {
  private readonly queued: T[] = [];
  private readonly waiting: Array<(result: IteratorResult<T>) => void> = [];
  private readonly subscriptionIds: Promise<number[]>;
  private open = true;

  constructor(
    private readonly engine: PubSubEngine,
    topics: readonly string[],
    private readonly track: (delta: number) => void,
  ) {
    track(1);
    this.subscriptionIds = Promise.all(topics.map((topic) => engine.subscribe(topic, (e: T) => this.push(e), {})));
  }

  async next(): Promise<IteratorResult<T>> {
    await this.subscriptionIds;
    if (!this.open) return { value: undefined, done: true };
    if (this.queued.length) return { value: this.queued.shift()!, done: false };
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async return(): Promise<IteratorResult<T>> {
    await this.close();
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<T>> {
    await this.close();
    throw error;
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  private push(event: T): void {
    if (!this.open) return;
    const resolve = this.waiting.shift();
    if (resolve) resolve({ value: event, done: false });
    else this.queued.push(event);
  }

  private async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    this.track(-1);
    for (const resolve of this.waiting.splice(0)) resolve({ value: undefined, done: true });
    this.queued.length = 0;
    for (const id of await this.subscriptionIds) this.engine.unsubscribe(id);
  }
}
