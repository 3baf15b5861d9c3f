import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { UsageReportsService } from '../../access/application/usage-reports.service.js';
import { AppConfig } from '../../config/app-config.js';
import { Transactions } from '../../shared/database/transactions.js';
import { InvalidInputError, NotFoundError } from '../../shared/errors/domain-errors.js';
import { Mailer } from '../../shared/mail/mailer.service.js';
import { MetricsService } from '../../shared/observability/metrics.service.js';
import { Webhooks } from '../../shared/webhook/webhooks.service.js';
import {
  checkDigestWeek,
  digestEmail,
  digestKey,
  digestWebhookDocument,
  latestDueWeek,
  type Digest,
  type DigestSchedule,
  type DigestWeek,
} from '../domain/alarm-digest.js';
import { alarmHealth } from '../domain/alarm-health.js';
import type { NotificationRule } from '../domain/alarm-notification-rules.js';
import { AlarmDigestFigures } from './alarm-digest.ports.js';
import { NotificationChannelRepository, NotificationRuleRepository } from './alarm-notifications.ports.js';
import { channelSecretRef } from './alarm-notifications.service.js';

export interface DigestChannelOutcome {
  channelId: number;
  /** False: this week's digest for the channel was in the outbox already (sent or on its way). */
  enqueued: boolean;
}

export interface DigestOutcome {
  ruleId: number;
  weekStart: Date;
  weekEnd: Date;
  channels: DigestChannelOutcome[];
}

/**
 * Weekly digests of the rules with weeklyDigest: the access context's weekly summary and the
 * week's alarm figures, one outbox message per rule, channel and week, keyed
 * `alarm-digest:{rule}:{channel}:{weekStart}` — so enqueueing it again (another replica, a
 * restart, a request by hand) adds nothing and it goes out once.
 *
 * Every replica checks every ALARM_DIGEST_CHECK_MS whether the latest due week
 * (ALARM_DIGEST_WEEKDAY at ALARM_DIGEST_HOUR UTC after it ended) has been enqueued for each
 * enabled digest rule's channels by this replica; what it has not done yet it enqueues (a
 * no-op when another replica was first). A replica started after the hour thus still sends
 * the week it missed, and a digest rule created during the week gets the last week's digest.
 */
@Injectable()
export class AlarmDigests implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AlarmDigests.name);
  private readonly schedule: DigestSchedule;
  /** Keys this replica has enqueued (or found enqueued): the timer's memory, so that it builds a week's digest once. */
  private readonly done = new Set<string>();
  private doneWeek: number | null = null;
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> | null = null;
  private readonly outcomes;

  constructor(
    private readonly rules: NotificationRuleRepository,
    private readonly channels: NotificationChannelRepository,
    private readonly figures: AlarmDigestFigures,
    private readonly usage: UsageReportsService,
    private readonly mailer: Mailer,
    private readonly webhooks: Webhooks,
    private readonly transactions: Transactions,
    private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.schedule = { weekday: config.ALARM_DIGEST_WEEKDAY, hour: config.ALARM_DIGEST_HOUR };
    this.outcomes = metrics.counter(
      'plantgraph_alarm_digests_total',
      'Weekly digest messages per rule and channel, by outcome (enqueued, already_enqueued)',
      ['outcome'],
    );
  }

  onApplicationBootstrap(): void {
    if (!this.config.ALARM_DIGEST_CHECK_MS) return;
    this.timer = setInterval(() => this.tick(), this.config.ALARM_DIGEST_CHECK_MS).unref();
    this.tick();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** A digest by hand (sendAlarmDigest): of a week that has ended, for a rule with weeklyDigest. */
  async sendOne(ruleId: number, weekStart: Date, now = new Date()): Promise<DigestOutcome> {
    const week = checkDigestWeek(weekStart, now, this.schedule);
    const rule = await this.rules.find(ruleId);
    if (!rule) throw new NotFoundError('Notification rule', ruleId);
    if (!rule.weeklyDigest)
      throw new InvalidInputError('This rule does not carry the weekly digest', { ruleId: 'weeklyDigest is off' });
    return this.send(rule, week, await this.build(week));
  }

  /**
   * Enqueues the latest due week's digest for every enabled digest rule's channels this
   * replica has not done yet; what it returns is what it tried now. Called by the timer, and
   * callable with another clock.
   */
  async runDue(now = new Date()): Promise<DigestOutcome[]> {
    const week = latestDueWeek(now, this.schedule);
    if (this.doneWeek !== week.weekStart.getTime()) {
      this.done.clear();
      this.doneWeek = week.weekStart.getTime();
    }
    const pending = (await this.rules.enabled()).filter(
      (r) => r.weeklyDigest && r.channelIds.some((c) => !this.done.has(digestKey(r.id, c, week.weekStart))),
    );
    if (!pending.length) return [];
    const digest = await this.build(week);
    const outcomes: DigestOutcome[] = [];
    for (const rule of pending) {
      try {
        outcomes.push(await this.send(rule, week, digest));
        for (const c of rule.channelIds) this.done.add(digestKey(rule.id, c, week.weekStart));
      } catch (err) {
        // One rule's failure (say a webhook URL no longer allowed) does not hold back the others; it is tried again.
        this.logger.warn(
          { err },
          `The weekly digest of rule ${rule.id} could not be enqueued; retrying on the next check`,
        );
      }
    }
    return outcomes;
  }

  private tick(): void {
    if (this.running || !this.timer) return;
    this.running = this.runDue()
      .catch((err: unknown) =>
        // The database or a context is away: the next check tries again (nothing half-done is remembered).
        this.logger.warn({ err }, 'Weekly alarm digests could not be enqueued; retrying on the next check'),
      )
      .finally(() => (this.running = null));
  }

  private async build(week: DigestWeek): Promise<Digest> {
    const [access, counts, transitions] = await Promise.all([
      this.usage.weeklySummary(week.weekStart),
      this.figures.counts(week.weekStart, week.weekEnd),
      this.figures.healthTransitions(week.weekStart, week.weekEnd),
    ]);
    return {
      week,
      access,
      alarms: { ...counts, health: alarmHealth(transitions, week.weekStart, week.weekEnd) },
    };
  }

  /** One transaction per rule: its channels' messages are enqueued together or not at all. */
  private send(rule: NotificationRule, week: DigestWeek, digest: Digest): Promise<DigestOutcome> {
    return this.transactions.run(async () => {
      const channels = await this.channels.findMany(rule.channelIds);
      const signed = await this.webhooks.withSecrets(channels.map((c) => channelSecretRef(c.id)));
      const results: DigestChannelOutcome[] = [];
      for (const channel of channels) {
        const key = digestKey(rule.id, channel.id, week.weekStart);
        let enqueued: boolean;
        if (channel.kind === 'EMAIL')
          enqueued = await this.mailer.send({ to: channel.recipients, ...digestEmail(rule, digest) }, key);
        else {
          const secretRef = channelSecretRef(channel.id);
          enqueued = await this.webhooks.send(
            {
              url: channel.url!,
              body: digestWebhookDocument(rule, digest),
              secretRef: signed.has(secretRef) ? secretRef : null,
            },
            key,
          );
        }
        this.outcomes.inc({ outcome: enqueued ? 'enqueued' : 'already_enqueued' });
        results.push({ channelId: channel.id, enqueued });
      }
      return { ruleId: rule.id, weekStart: week.weekStart, weekEnd: week.weekEnd, channels: results };
    });
  }
}
