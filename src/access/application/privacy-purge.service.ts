import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { Transactions } from '../../shared/database/transactions.js';
import { MaintenanceRepository, UnknownCardRepository, UseRepository } from './access.ports.js';

export interface PurgeReport {
  usesAnonymized: number;
  interventionsAnonymized: number;
  unknownCardAttemptsDeleted: number;
  /** Records before this were anonymised. */
  anonymizedBefore: Date;
  /** Unknown-card attempts before this were deleted. */
  unknownCardsDeletedBefore: Date;
}

const DAY_MS = 86_400_000;

/**
 * Privacy (reference/fabomatic.md §2.7): uses and interventions older than
 * ACCESS_RETENTION_DAYS lose their user (anonymised: the hours still count), unknown-card
 * attempts older than ACCESS_UNKNOWN_CARD_RETENTION_DAYS are deleted. Open uses are never
 * anonymised. Runs at start and daily; on several replicas each runs it, harmlessly (a
 * second pass finds nothing left to do).
 */
@Injectable()
export class PrivacyPurgeService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PrivacyPurgeService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<PurgeReport>;

  constructor(
    private readonly uses: UseRepository,
    private readonly maintenance: MaintenanceRepository,
    private readonly unknownCards: UnknownCardRepository,
    private readonly transactions: Transactions,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    void this.runLogged();
    this.timer = setInterval(() => void this.runLogged(), DAY_MS).unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass; a pass already running is awaited instead of started twice. */
  purge(now = new Date()): Promise<PurgeReport> {
    this.running ??= this.pass(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private pass(now: Date): Promise<PurgeReport> {
    const anonymizedBefore = new Date(now.getTime() - this.config.ACCESS_RETENTION_DAYS * DAY_MS);
    const unknownCardsDeletedBefore = new Date(now.getTime() - this.config.ACCESS_UNKNOWN_CARD_RETENTION_DAYS * DAY_MS);
    return this.transactions.run(async () => ({
      usesAnonymized: await this.uses.anonymizeBefore(anonymizedBefore),
      interventionsAnonymized: await this.maintenance.anonymizeInterventionsBefore(anonymizedBefore),
      unknownCardAttemptsDeleted: await this.unknownCards.deleteBefore(unknownCardsDeletedBefore),
      anonymizedBefore,
      unknownCardsDeletedBefore,
    }));
  }

  private async runLogged(): Promise<void> {
    try {
      const report = await this.purge();
      if (report.usesAnonymized || report.interventionsAnonymized || report.unknownCardAttemptsDeleted)
        this.logger.log(
          `Access privacy purge: ${report.usesAnonymized} uses and ${report.interventionsAnonymized} interventions ` +
            `anonymised, ${report.unknownCardAttemptsDeleted} unknown-card attempts deleted`,
        );
    } catch (err) {
      this.logger.error({ err }, 'Access privacy purge failed');
    }
  }
}
