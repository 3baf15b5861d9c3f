import { randomUUID } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import type { PubSub } from './pub-sub.js';

/** What a change announces: the replica that made it has reloaded already. */
interface StateChanged {
  origin: string;
}

/**
 * An in-memory copy of configuration kept in the database (state bands, alarm conditions…),
 * read on hot paths and the same on every replica: loaded at start, reloaded on the replica
 * that changed it (`changed()`), and on the others when the change's event reaches them over
 * PubSub. A load that started earlier and finishes later never replaces a newer one.
 */
export class ReplicatedState<T> {
  private readonly origin = randomUUID();
  private current: T;
  private generation = 0;
  private loaded?: Promise<void>;
  private changes?: AsyncIterableIterator<StateChanged>;

  constructor(
    private readonly pubsub: PubSub,
    /** The topic its changes are announced on. */
    private readonly topic: string,
    private readonly load: () => Promise<T>,
    initial: T,
    private readonly logger: Logger,
    /** For the logs: "the state bands". */
    private readonly what: string,
  ) {
    this.current = initial;
  }

  /** Follows the other replicas' changes and loads: call from onModuleInit. */
  start(): Promise<void> {
    this.changes = this.pubsub.subscribe<StateChanged>(this.topic);
    void this.follow(this.changes);
    return this.ready();
  }

  async stop(): Promise<void> {
    await this.changes?.return?.();
  }

  /** Resolves once the first load is done. */
  ready(): Promise<void> {
    this.loaded ??= this.reload();
    return this.loaded;
  }

  get value(): T {
    return this.current;
  }

  /** After a change stored on this replica: reloads here, then tells the others. */
  async changed(): Promise<void> {
    await this.reload();
    await this.pubsub.publish<StateChanged>(this.topic, { origin: this.origin });
  }

  private async reload(): Promise<void> {
    const generation = ++this.generation;
    const value = await this.load();
    if (generation === this.generation) this.current = value;
  }

  private async follow(events: AsyncIterable<StateChanged>): Promise<void> {
    try {
      for await (const event of events) {
        if (event.origin === this.origin) continue;
        await this.reload().catch((err) => this.logger.error({ err }, `Reloading ${this.what} failed`));
      }
    } catch (err) {
      this.logger.error({ err }, `Following changes of ${this.what} stopped`);
    }
  }
}
