import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import { ACCESS_STATUS_CHANGED, type AccessStatusChangedEvent } from './access-events.js';
import { UseSessionsService } from './use-sessions.service.js';

/** A use silent for an hour closes within this much more. */
const PASS_INTERVAL_MS = 30_000;

/**
 * Closes uses silent for an hour (a rebooted board forgets its user and never sends the
 * stop) every 30 s. Every replica runs it: each use is re-checked under its machine's lock,
 * so two passes close it, and count its hours, once.
 */
@Injectable()
export class OrphanedUsesService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(OrphanedUsesService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<number[]>;

  constructor(
    private readonly uses: UseSessionsService,
    private readonly pubsub: PubSub,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.runLogged(), PASS_INTERVAL_MS).unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass; returns the machines whose use it closed. A pass already running is awaited, not doubled. */
  run(now = new Date()): Promise<number[]> {
    this.running ??= this.pass(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(now: Date): Promise<number[]> {
    const closed = await this.uses.closeOrphans(now);
    for (const machineId of closed)
      await this.pubsub.publish<AccessStatusChangedEvent>(ACCESS_STATUS_CHANGED, { machineId });
    return closed;
  }

  /** A failed pass is logged, never fatal: the next one closes what this one could not. */
  private async runLogged(): Promise<void> {
    try {
      const closed = await this.run();
      if (closed.length) this.logger.log(`Closed ${closed.length} use(s) silent for an hour at their last heartbeat`);
    } catch (error) {
      this.logger.error(`Closing orphaned uses failed: ${(error as Error).message}`, (error as Error).stack);
    }
  }
}
