import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { partitionPlan, utcDay, type PartitionPolicy } from './partition-plan.js';
import { SamplePartitionsRepository } from './sample-partitions.repository.js';

/** Hourly: a day's partition exists at least a day before it is needed, so a missed run or two changes nothing. */
const MAINTENANCE_INTERVAL_MS = 60 * 60 * 1000;

export interface MaintenanceReport {
  created: { table: string; day: string; movedRows: number }[];
  dropped: { table: string; day: string }[];
  purgedRows: number;
}

/**
 * Keeps the daily partitions of every sample kind's table and rollups (same days, same
 * retention): created from yesterday to the kind's days ahead (and for days whose rows wait
 * in the DEFAULT partition), dropped past its retention (0 = never). A kind's tables get a
 * pass when they are registered — before the MQTT connection opens, so ingestion starts
 * with today's partitions — and then every hour with the others.
 */
@Injectable()
export class PartitionMaintenanceService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PartitionMaintenanceService.name);
  private readonly policies = new Map<string, PartitionPolicy>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<MaintenanceReport>;

  constructor(private readonly partitions: SamplePartitionsRepository) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.runLogged(), MAINTENANCE_INTERVAL_MS).unref();
  }

  /** Keeps these tables' partitions from now on, starting with a pass over them. */
  async register(tables: readonly string[], policy: PartitionPolicy): Promise<void> {
    for (const table of tables) this.policies.set(table, policy);
    await this.runLogged(tables);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass over the given tables (every registered one by default), after any pass already running. */
  async run(now = new Date(), tables: readonly string[] = [...this.policies.keys()]): Promise<MaintenanceReport> {
    while (this.running) await this.running.catch(() => undefined);
    this.running = this.pass(now, tables).finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(now: Date, tables: readonly string[]): Promise<MaintenanceReport> {
    const report: MaintenanceReport = { created: [], dropped: [], purgedRows: 0 };
    for (const { table, days, daysInDefault } of await this.partitions.inventory(tables)) {
      const plan = partitionPlan(utcDay(now), this.policies.get(table)!, days, daysInDefault);
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
  private async runLogged(tables?: readonly string[]): Promise<void> {
    try {
      const { created, dropped, purgedRows } = await this.run(new Date(), tables);
      const moved = created.reduce((sum, c) => sum + c.movedRows, 0);
      if (created.length || dropped.length || purgedRows)
        this.logger.log(
          `Sample partitions: ${created.length} created (${moved} rows moved out of DEFAULT), ` +
            `${dropped.length} dropped past their retention, ${purgedRows} expired rows deleted from DEFAULT`,
        );
    } catch (error) {
      this.logger.error(`Sample partition maintenance failed: ${(error as Error).message}`, (error as Error).stack);
    }
  }
}
