import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config.js';
import { DatabaseProbe } from '../../../shared/database/database-probe.service.js';
import { MqttService } from '../../../shared/mqtt/mqtt.service.js';
import { LogThrottle } from '../../../shared/observability/log-throttle.js';
import { MetricsService } from '../../../shared/observability/metrics.service.js';
import { AlarmConditionsService } from '../alarm-conditions.service.js';
import type { AlarmSource } from '../alarm-signals.js';

export const DATABASE_DOWN = 'DATABASE_DOWN';
export const BROKER_DISCONNECTED = 'BROKER_DISCONNECTED';
export const INGESTION_REJECTS = 'INGESTION_REJECTS';

/** How often the service looks at its own health. */
export const HEALTH_CHECK_INTERVAL_MS = 2_000;
/** The rejected-messages counter shared/mqtt declares (read, never written, here). */
const REJECTED_METRIC = 'plantgraph_mqtt_messages_rejected_total';
const MINUTE_MS = 60_000;

/** One look: what the service found, and when. */
export interface HealthReading {
  at: Date;
  databaseAnswers: boolean;
  brokerConnected: boolean;
  /** Messages rejected since this process started. */
  rejectedTotal: number;
}

export interface HealthRules {
  minOutageMs: number;
  brokerAfterMs: number;
  maxRejectsPerMinute: number;
}

export type HealthSignal =
  { raise: true; type: string; at: Date; value?: number; detail: string } | { raise: false; type: string; at: Date };

/**
 * The service's own health from successive looks. Signals that could not be stored (the
 * database is down, or failed) are asked for again at the next look: a signal counts as
 * given only after `given(signal)`.
 *
 * - DATABASE_DOWN: nothing can be stored during an outage, so it is raised when the database
 *   answers again, at the outage start (the first look it did not answer), and cleared at once.
 * - BROKER_DISCONNECTED: raised once disconnected for `brokerAfterMs` (at the disconnection),
 *   cleared when connected again.
 * - INGESTION_REJECTS: raised when more than `maxRejectsPerMinute` messages were rejected in
 *   the last minute, cleared when no more are.
 *
 * Right after a start the broker and rejects alarms are cleared once, whatever a previous
 * run of this replica left open (its counters start again at zero).
 */
export class ServiceHealth {
  private outageStart: Date | null = null;
  private outage: { start: Date; end: Date } | null = null;
  private disconnectedAt: Date | null = null;
  /** What the alarms were last told; undefined = nothing since the start. */
  private brokerRaised?: boolean;
  private rejectsRaised?: boolean;
  /** Recent (time, total) looks, the oldest at most a minute old beyond one. */
  private readonly totals: Array<{ at: number; total: number }> = [];

  look(reading: HealthReading, rules: HealthRules): HealthSignal[] {
    const signals: HealthSignal[] = [];
    if (!reading.databaseAnswers) this.outageStart ??= reading.at;
    else if (this.outageStart) {
      if (reading.at.getTime() - this.outageStart.getTime() >= rules.minOutageMs)
        this.outage = { start: this.outageStart, end: reading.at };
      this.outageStart = null;
    }
    if (this.outage && reading.databaseAnswers) {
      const { start, end } = this.outage;
      const seconds = Math.round((end.getTime() - start.getTime()) / 1000);
      const detail = `for ${seconds} s, from ${start.toISOString()} to ${end.toISOString()}`;
      signals.push(
        { raise: true, type: DATABASE_DOWN, at: start, detail },
        { raise: false, type: DATABASE_DOWN, at: end },
      );
    }

    if (!reading.brokerConnected) {
      this.disconnectedAt ??= reading.at;
      const since = this.disconnectedAt;
      if (this.brokerRaised !== true && reading.at.getTime() - since.getTime() >= rules.brokerAfterMs)
        signals.push({ raise: true, type: BROKER_DISCONNECTED, at: since, detail: `since ${since.toISOString()}` });
    } else {
      this.disconnectedAt = null;
      if (this.brokerRaised !== false) signals.push({ raise: false, type: BROKER_DISCONNECTED, at: reading.at });
    }

    const rejects = this.rejectsInLastMinute(reading);
    if (rejects > rules.maxRejectsPerMinute && this.rejectsRaised !== true)
      signals.push({ raise: true, type: INGESTION_REJECTS, at: reading.at, value: rejects, detail: `${rejects}` });
    else if (rejects <= rules.maxRejectsPerMinute && this.rejectsRaised !== false)
      signals.push({ raise: false, type: INGESTION_REJECTS, at: reading.at });
    return signals;
  }

  /** The alarms took `signal`: it is not asked for again. */
  given(signal: HealthSignal): void {
    if (signal.type === DATABASE_DOWN && !signal.raise) this.outage = null;
    if (signal.type === BROKER_DISCONNECTED) this.brokerRaised = signal.raise;
    if (signal.type === INGESTION_REJECTS) this.rejectsRaised = signal.raise;
  }

  private rejectsInLastMinute(reading: HealthReading): number {
    const now = reading.at.getTime();
    // The counter starts at zero with the process: what it counted before the first look is recent.
    if (!this.totals.length) this.totals.push({ at: now, total: 0 });
    this.totals.push({ at: now, total: reading.rejectedTotal });
    // Keep the newest look that is at least a minute old: the baseline of the minute.
    while (this.totals.length > 1 && now - this.totals[1].at >= MINUTE_MS) this.totals.shift();
    return reading.rejectedTotal - this.totals[0].total;
  }
}

/**
 * The service's own health → alarms on the SERVICE source, one per replica (`database@…`,
 * `broker@…`, `ingestion@…` keyed by MQTT_CLIENT_ID): each replica has its own connections,
 * and one cut off from the database while the others are not is worth its own alarm.
 */
@Injectable()
export class ServiceHealthAlarmsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ServiceHealthAlarmsService.name);
  private readonly failureLog = new LogThrottle(60_000);
  private readonly health = new ServiceHealth();
  private readonly replica: string;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly database: DatabaseProbe,
    private readonly mqtt: MqttService,
    private readonly metrics: MetricsService,
    private readonly conditions: AlarmConditionsService,
    config: AppConfig,
  ) {
    this.replica = config.MQTT_CLIENT_ID;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.check().finally(() => (this.running = undefined));
    }, HEALTH_CHECK_INTERVAL_MS).unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One look (also what the timer does). */
  async check(): Promise<void> {
    const at = new Date();
    const reading: HealthReading = {
      at,
      databaseAnswers: await this.database.answers(HEALTH_CHECK_INTERVAL_MS),
      brokerConnected: this.mqtt.isConnected(),
      rejectedTotal: await this.rejectedTotal(),
    };
    const signals = this.health.look(reading, {
      minOutageMs: this.conditions.parameter(DATABASE_DOWN, 'minOutageSeconds', 5) * 1000,
      brokerAfterMs: this.conditions.parameter(BROKER_DISCONNECTED, 'afterSeconds', 10) * 1000,
      maxRejectsPerMinute: this.conditions.parameter(INGESTION_REJECTS, 'maxPerMinute', 60),
    });
    for (const signal of signals) {
      const part =
        signal.type === DATABASE_DOWN ? 'database' : signal.type === BROKER_DISCONNECTED ? 'broker' : 'ingestion';
      const source: AlarmSource = { kind: 'SERVICE', key: `${part}@${this.replica}`, name: `replica ${this.replica}` };
      try {
        if (signal.raise)
          await this.conditions.raise(signal.type, source, signal.at, { value: signal.value, detail: signal.detail });
        else await this.conditions.clear(signal.type, source, signal.at);
        this.health.given(signal);
      } catch (err) {
        if (this.failureLog.take(signal.type) !== undefined)
          this.logger.warn(
            { err, type: signal.type },
            'Signalling a service health alarm failed; retried at the next look',
          );
        // A raise not stored must not be followed by its clear.
        break;
      }
    }
  }

  private async rejectedTotal(): Promise<number> {
    const metric = this.metrics.registry.getSingleMetric(REJECTED_METRIC);
    if (!metric) return 0;
    const { values } = await metric.get();
    return values.reduce((sum, v) => sum + v.value, 0);
  }
}
