import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { ConflictError, NotFoundError } from '../errors/domain-errors.js';
import { detachedFromTransaction } from '../database/transactions.adapter.js';
import { MetricsService } from '../observability/metrics.service.js';
import {
  describeFailure,
  nextAttemptDelay,
  type OutboxChannel,
  type OutboxMessage,
  type RetryPolicy,
} from './outbox-message.js';
import { OutboxRepository, type OutboxFilter } from './outbox.repository.js';

/** Messages claimed per round. */
const CLAIM_BATCH = 20;
/** A claimed message is another worker's to retry if its send has not ended after this long (a dead replica). */
const CLAIM_LEASE_MS = 120_000;
const MAX_RETRY_DELAY_MS = 3_600_000;

/**
 * The notification outbox: what to send (an e-mail, a webhook call) is enqueued in the same
 * transaction as what caused it, and a worker on each replica sends what is due through the
 * message's channel, at least once:
 *
 * - nothing is lost: a message exists once its cause committed, and stays until it is sent
 *   or has FAILED (after OUTBOX_MAX_ATTEMPTS, with its last error, re-sendable by hand);
 * - nothing is sent twice for one cause: the idempotency key is unique per channel, and a
 *   channel hands it to the receiver (an e-mail's Message-ID, a webhook's header), so that a
 *   retry after a crash mid-send is recognised by a receiver that honours it;
 * - failures back off (OUTBOX_RETRY_BASE_MS, doubling up to an hour) and are counted.
 *
 * Contexts enqueue through a channel's facade (shared/mail: Mailer) rather than here.
 */
@Injectable()
export class Outbox implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(Outbox.name);
  private readonly channels = new Map<string, OutboxChannel>();
  private readonly policy: RetryPolicy;
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly sent;
  private readonly failed;

  constructor(
    private readonly repository: OutboxRepository,
    private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.policy = {
      maxAttempts: config.OUTBOX_MAX_ATTEMPTS,
      baseDelayMs: config.OUTBOX_RETRY_BASE_MS,
      maxDelayMs: MAX_RETRY_DELAY_MS,
    };
    this.sent = metrics.counter('plantgraph_outbox_sent_total', 'Notifications delivered, by channel', ['channel']);
    this.failed = metrics.counter('plantgraph_outbox_failures_total', 'Failed notification attempts, by channel', [
      'channel',
      'final',
    ]);
  }

  registerChannel(channel: OutboxChannel): void {
    this.channels.set(channel.name, channel);
  }

  /**
   * Adds a message unless its key is already there (true when added). Call it inside the
   * transaction of what causes it (Transactions.run): it joins it. The worker is woken once
   * the caller's work is done.
   */
  async enqueue(channel: string, idempotencyKey: string, payload: unknown): Promise<boolean> {
    if (!this.channels.has(channel)) throw new Error(`No outbox channel '${channel}' is registered`);
    const added = await this.repository.enqueue(channel, idempotencyKey, payload);
    // After the caller's transaction (if any) has had the chance to commit, and outside it: the
    // round sends (and channels query) long after that transaction's connection went back.
    if (added) setImmediate(() => detachedFromTransaction(() => this.wake()));
    return added;
  }

  list(filter: OutboxFilter, page: { offset: number; limit: number }) {
    return this.repository.list(filter, page);
  }

  /** Sends a message that has not been sent again, its attempts starting over. */
  async resend(id: string): Promise<OutboxMessage> {
    const message = await this.repository.resend(id);
    if (!message) {
      if (await this.repository.find(id)) throw new ConflictError(`Message ${id} was sent already`);
      throw new NotFoundError('Outbox message', id);
    }
    this.wake();
    return message;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.wake(), this.config.OUTBOX_POLL_MS).unref();
    this.wake();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Starts a round, or asks the running one to look again when it is done. */
  private wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        if (this.stopped || !this.channels.size) return;
        const due = await this.repository.claimDue([...this.channels.keys()], CLAIM_BATCH, CLAIM_LEASE_MS);
        for (const message of due) await this.deliver(message);
        if (due.length < CLAIM_BATCH) return;
      }
    } catch (err) {
      // The database is away: the next round tries again; nothing was marked.
      this.logger.warn({ err }, 'The outbox could not be read; retrying on the next round');
    }
  }

  private async deliver(message: OutboxMessage): Promise<void> {
    const channel = this.channels.get(message.channel);
    const attempts = message.attempts + 1;
    if (!channel) return; // claimed only for registered channels
    try {
      await channel.send(message);
    } catch (error) {
      const retryIn = nextAttemptDelay(attempts, this.policy);
      const text = describeFailure(error);
      this.failed.inc({ channel: channel.name, final: retryIn === null ? 'true' : 'false' });
      await this.repository.markFailed(message.id, attempts, text, retryIn);
      const what = `${channel.name} message ${message.id} (${message.idempotencyKey})`;
      if (retryIn === null) this.logger.error(`Giving up on ${what} after ${attempts} attempts: ${text}`);
      else this.logger.warn(`Sending ${what} failed (attempt ${attempts}), retrying in ${retryIn} ms: ${text}`);
      return;
    }
    this.sent.inc({ channel: channel.name });
    await this.repository.markSent(message.id, attempts);
  }
}
