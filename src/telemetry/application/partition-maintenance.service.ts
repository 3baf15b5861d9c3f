import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { partitionPlan, utcDay, type PartitionPolicy } from '../domain/partition-plan.js';
import { SamplePartitions } from './ingestion.ports.js';

/** Hourly: a day's partition exists at least a day before it is needed, so a missed run or two changes nothing. */
const MAINTENANCE_INTERVAL_MS = 60 * 60 * 1000;

export interface MaintenanceReport {
  created: { table: string; day: string; movedRows: number }[];
  dropped: { table: string; day: string }[];
  purgedRows: number;
}

/**
 * Keeps the daily partitions of the sample tables and of their rollups (same days, same
 * retention): created from yesterday to TELEMETRY_PARTITION_DAYS_AHEAD ahead (and for days
 * whose rows wait in the DEFAULT partition), dropped past TELEMETRY_RETENTION_DAYS (0 =
 * never). Runs once while the application starts — before the MQTT connection opens, so
 * ingestion starts with today's partitions — and then every hour.
 */
@Injectable()
export class PartitionMaintenanceService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PartitionMaintenanceService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<MaintenanceReport>;

  private readonly policy: PartitionPolicy;

  constructor(
    private readonly partitions: SamplePartitions,
    config: AppConfig,
  ) {
    this.policy = { daysAhead: config.TELEMETRY_PARTITION_DAYS_AHEAD, retentionDays: config.TELEMETRY_RETENTION_DAYS };
  }

  async onModuleInit(): Promise<void> {
    await this.runLogged();
    this.timer = setInterval(() => void this.runLogged(), MAINTENANCE_INTERVAL_MS).unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass; a pass already running is awaited instead of started twice. */
  run(now = new Date(), policy = this.policy): Promise<MaintenanceReport> {
    this.running ??= this.pass(now, policy).finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(now: Date, policy: PartitionPolicy): Promise<MaintenanceReport> {
    const report: MaintenanceReport = { created: [], dropped: [], purgedRows: 0 };
    for (const { table, days, daysInDefault } of await this.partitions.inventory()) {
      const plan = partitionPlan(utcDay(now), policy, days, daysInDefault);
      for (const day of plan.create)
        report.created.push({ table, day, movedRows: await this.partitions.createDay(table, day) });
      for (const day of plan.drop) {
        await this.partitions.dropDay(table, day);
        report.dropped.push({ table, day });
      }
      if (plan.purgeDefaultBefore && daysInDefault.some((day) => day < plan.purgeDefaultBefore!))
        report.purgedRows += await this.partitions.purgeDefaultBefore(table, plan.purgeDefaultBefore);
    }
    return report;
  }

  /**
   * A failed pass is logged, never fatal: the DEFAULT partition takes every sample whose
   * day has no partition, and the next pass moves them out.
   */
  private async runLogged(): Promise<void> {
    try {
      const { created, dropped, purgedRows } = await this.run();
      const moved = created.reduce((sum, c) => sum + c.movedRows, 0);
      if (created.length || dropped.length || purgedRows)
        this.logger.log(
          `Sample partitions: ${created.length} created (${moved} rows moved out of DEFAULT), ` +
            `${dropped.length} dropped past the ${this.policy.retentionDays}-day retention, ` +
            `${purgedRows} expired rows deleted from DEFAULT`,
        );
    } catch (error) {
      this.logger.error(`Sample partition maintenance failed: ${(error as Error).message}`, (error as Error).stack);
    }
  }
}
