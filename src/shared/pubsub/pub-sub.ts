import { Logger } from '@nestjs/common';
import type { PubSubEngine } from 'graphql-subscriptions';
import { LogThrottle } from '../observability/log-throttle.js';

/**
 * How long a publish waits for the engine to confirm it. Live events are best effort after
 * what they announce is stored, and their publishers wait in line (a derived-state stage's
 * next batch, an MQTT acknowledgement): a Redis that does not answer (reconnecting, stalled)
 * must not hold them up forever. An unconfirmed event stays queued in the Redis client, in
 * order, and goes out when it can.
 */
export const PUBLISH_CONFIRM_MS = 5_000;

/**
 * The PubSub port: application code publishes typed events on constant topics;
 * subscriptions iterate them. In memory by default, Redis across replicas (pubsub.module.ts).
 */
export class PubSub {
  private readonly logger = new Logger(PubSub.name);
  private readonly unconfirmedLog = new LogThrottle(60_000);
  private active = 0;

  /**
   * `namespace` prefixes every topic: with Redis, the deployment's name, so that two
   * deployments (or two test runs) sharing a Redis never see each other's events.
   */
  constructor(
    private readonly engine: PubSubEngine,
    private readonly namespace = '',
    /** null: the engine answers at once (in memory), and no deadline is kept per publish. */
    private readonly confirmMs: number | null = PUBLISH_CONFIRM_MS,
  ) {}

  /** Resolves once the engine took the event, or after `confirmMs` without an answer (logged). */
  publish<T>(topic: string, payload: T): Promise<void> {
    const sent = this.engine.publish(this.namespace + topic, payload);
    if (this.confirmMs === null) return sent;
    const confirmMs = this.confirmMs;
    let timer: NodeJS.Timeout | undefined;
    const unconfirmed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        const suppressed = this.unconfirmedLog.take(topic);
        if (suppressed !== undefined)
          this.logger.warn(
            `Publishing on ${topic} not confirmed within ${confirmMs} ms; going on without waiting` +
              (suppressed ? ` (${suppressed} more not logged)` : ''),
          );
        resolve();
      }, confirmMs);
      timer.unref();
    });
    return Promise.race([sent.finally(() => clearTimeout(timer)), unconfirmed]);
  }

  /**
   * An iterator over events on `topics`, the engine's own: it listens from its first `next()`
   * on. Ending it (return/throw) releases every listener.
   */
  subscribe<T>(topics: string | readonly string[]): AsyncIterableIterator<T> {
    this.active++;
    const named = typeof topics === 'string' ? this.namespace + topics : topics.map((t) => this.namespace + t);
    return new Events<T>(this.engine.asyncIterableIterator<T>(named), () => this.active--);
  }

  /** Iterators currently open on this instance (a subscription leak shows here). */
  activeSubscriptions(): number {
    return this.active;
  }
}

const ENDED: IteratorResult<never> = { value: undefined, done: true };

/**
 * The engine's iterator, ended exactly once. Neither engine's iterator may be read after
 * return(): graphql-subscriptions' leaves a first next() that was still subscribing pending
 * forever, and both listen again when next() follows return().
 */
class Events<T> implements AsyncIterableIterator<T> {
  private readonly waiting = new Set<(result: IteratorResult<T>) => void>();
  private open = true;

  constructor(
    private readonly events: AsyncIterator<T>,
    private readonly onEnd: () => void,
  ) {}

  next(): Promise<IteratorResult<T>> {
    if (!this.open) return Promise.resolve(ENDED);
    return new Promise((resolve, reject) => {
      this.waiting.add(resolve);
      this.events.next().then(
        (result) => this.waiting.delete(resolve) && resolve(result),
        (error) => this.waiting.delete(resolve) && reject(error),
      );
    });
  }

  async return(): Promise<IteratorResult<T>> {
    if (this.end()) await this.events.return?.();
    return ENDED;
  }

  async throw(error: unknown): Promise<IteratorResult<T>> {
    if (this.end()) await this.events.return?.();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private end(): boolean {
    if (!this.open) return false;
    this.open = false;
    this.onEnd();
    for (const resolve of this.waiting) resolve(ENDED);
    this.waiting.clear();
    return true;
  }
}
