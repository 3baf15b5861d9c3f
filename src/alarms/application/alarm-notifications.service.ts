import { Injectable } from '@nestjs/common';
import { Mailer } from '../../shared/mail/mailer.service.js';
import { MetricsService } from '../../shared/observability/metrics.service.js';
import { Webhooks } from '../../shared/webhook/webhooks.service.js';
import {
  decide,
  notificationEmail,
  notificationKey,
  webhookDocument,
  type NotificationRule,
} from '../domain/alarm-notification-rules.js';
import { AlarmTransitionHooks, type AlarmSnapshot, type AlarmTransition } from './alarm-signals.js';
import {
  AlarmNotificationLog,
  NotificationChannelRepository,
  NotificationRuleRepository,
} from './alarm-notifications.ports.js';

/** Where a webhook channel's signing secret is kept (shared/webhook). */
export const channelSecretRef = (channelId: number) => `notification-channel:${channelId}`;

/**
 * Notification rules, run by the lifecycle inside every transition's transaction: each
 * enabled rule that matches (domain/alarm-notification-rules.ts) enqueues one outbox message
 * per channel — an e-mail through the Mailer, a signed webhook call through Webhooks — keyed
 * `alarm:{alarm}:transition:{transition}:rule:{rule}:channel:{channel}`, so the message exists
 * exactly when the transition committed and is never sent twice for it. A shelved or
 * out-of-service alarm notifies nobody; its shelf running out while it is still active
 * notifies as a raise would. A rule's rate limit counts what it enqueued in the database
 * under the rule's row lock, so it holds across replicas; a notification held back by it is
 * recorded (RATE_LIMITED, `alarmNotifications`) and counted, never silently dropped.
 */
@Injectable()
export class AlarmNotifications extends AlarmTransitionHooks {
  private readonly outcomes;

  constructor(
    private readonly rules: NotificationRuleRepository,
    private readonly channels: NotificationChannelRepository,
    private readonly log: AlarmNotificationLog,
    private readonly mailer: Mailer,
    private readonly webhooks: Webhooks,
    metrics: MetricsService,
  ) {
    super();
    this.outcomes = metrics.counter(
      'plantgraph_alarm_notifications_total',
      'Alarm transitions a notification rule matched, by outcome (enqueued, rate_limited, suppressed)',
      ['outcome'],
    );
  }

  async withinTransaction(alarm: AlarmSnapshot, transition: AlarmTransition): Promise<void> {
    const sending: NotificationRule[] = [];
    for (const rule of await this.rules.enabled()) {
      const decision = decide(rule, alarm, transition);
      if (decision === 'SUPPRESSED') this.outcomes.inc({ outcome: 'suppressed' });
      if (decision === 'SEND') sending.push(rule);
    }
    if (!sending.length) return;
    sending.sort((a, b) => a.id - b.id);
    await this.log.lockRules(sending.filter((r) => r.rateLimit).map((r) => r.id));
    for (const rule of sending) await this.notify(rule, alarm, transition);
  }

  private async notify(rule: NotificationRule, alarm: AlarmSnapshot, transition: AlarmTransition): Promise<void> {
    const base = { ruleId: rule.id, alarmId: alarm.id, transitionId: transition.id, transitionKind: transition.kind };
    if (rule.rateLimit && (await this.log.countEnqueued(rule.id, rule.rateLimit.windowSeconds)) >= rule.rateLimit.max) {
      if (await this.log.record({ ...base, outcome: 'RATE_LIMITED', channels: 0 }))
        this.outcomes.inc({ outcome: 'rate_limited' });
      return;
    }
    const channels = await this.channels.findMany(rule.channelIds);
    if (!(await this.log.record({ ...base, outcome: 'ENQUEUED', channels: channels.length }))) return;
    const signed = await this.webhooks.withSecrets(channels.map((c) => channelSecretRef(c.id)));
    for (const channel of channels) {
      const key = notificationKey(alarm.id, transition.id, rule.id, channel.id);
      if (channel.kind === 'EMAIL')
        await this.mailer.send({ to: channel.recipients, ...notificationEmail(rule, alarm, transition) }, key);
      else {
        const secretRef = channelSecretRef(channel.id);
        await this.webhooks.send(
          {
            url: channel.url!,
            body: webhookDocument(rule, alarm, transition),
            secretRef: signed.has(secretRef) ? secretRef : null,
          },
          key,
        );
      }
    }
    this.outcomes.inc({ outcome: 'enqueued' });
  }
}
