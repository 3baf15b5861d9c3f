import { setTimeout as sleep } from 'node:timers/promises';
import { MalformedMessageError, type InboundMessage, type MqttHandler } from './inbound-message.js';
import { retryDelayMs } from './retry-delay.js';
import { SerialQueues } from './serial-queues.js';

/** What a dispatcher reports; MqttService counts and logs it. */
export interface DispatchObserver {
  rejected(error: MalformedMessageError, message: InboundMessage): void;
  failed(error: unknown, message: InboundMessage, attempt: number, delayMs: number): void;
}

export interface DispatcherOptions {
  /**
   * Messages with the same key are handled one at a time, in arrival order, retries
   * included: a message waits until the previous one of its key succeeded, proved malformed
   * or was given up. Different keys, and routes without this option, run in parallel.
   */
  serialBy?: (message: InboundMessage) => string;
  /** The wait before retry number `retry` (0 for the first). */
  delayOf?: (retry: number) => number;
}

/**
 * Calls one route's handler for each message until it succeeds, the payload proves
 * malformed, or retrying stops making sense (the message was abandoned to the broker, or
 * the service is stopping). Resolves true when the message may be acknowledged.
 */
export class RouteDispatcher {
  private readonly queues?: SerialQueues;
  private readonly delayOf: (retry: number) => number;

  constructor(
    private readonly handler: MqttHandler,
    private readonly observer: DispatchObserver,
    private readonly stopping: AbortSignal,
    private readonly options: DispatcherOptions = {},
  ) {
    if (options.serialBy) this.queues = new SerialQueues();
    this.delayOf = options.delayOf ?? retryDelayMs;
  }

  dispatch(message: InboundMessage, abandoned: () => boolean): Promise<boolean> {
    if (!this.queues) return this.handle(message, abandoned);
    return this.queues.run(this.options.serialBy!(message), () => this.handle(message, abandoned));
  }

  private async handle(message: InboundMessage, abandoned: () => boolean): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      // Unacknowledged, the message goes back to the broker's session and is delivered again
      // later, in its order: one queued behind it must not be handled before it.
      if (abandoned()) return false;
      message.attempt = attempt;
      const delay = this.delayOf(attempt - 1);
      try {
        await this.handler(message);
        return true;
      } catch (error) {
        if (error instanceof MalformedMessageError) {
          this.observer.rejected(error, message);
          return true;
        }
        this.observer.failed(error, message, attempt, delay);
      }
      if (this.stopping.aborted) return false;
      try {
        await sleep(delay, undefined, { signal: this.stopping });
      } catch {
        return false;
      }
    }
  }
}
