import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module.js';
import { DatabaseModule } from '../shared/database/database.module.js';
import { AlarmDigestFigures } from './application/alarm-digest.ports.js';
import { AlarmDigests } from './application/alarm-digest.service.js';
import { AlarmNotificationConfigService } from './application/alarm-notification-config.service.js';
import { AlarmTransitionHooks } from './application/alarm-signals.js';
import {
  AlarmNotificationLog,
  NotificationChannelRepository,
  NotificationRuleRepository,
} from './application/alarm-notifications.ports.js';
import { AlarmNotifications } from './application/alarm-notifications.service.js';
import {
  SqlAlarmNotificationLog,
  SqlNotificationChannelRepository,
  SqlNotificationRuleRepository,
} from './infrastructure/alarm-notifications.repositories.js';
import { SqlAlarmDigestFigures } from './infrastructure/alarm-digest.repository.js';
import { AlarmDigestResolver } from './presentation/alarm-digest.resolver.js';
import { AlarmNotificationsResolver } from './presentation/alarm-notifications.resolver.js';

/**
 * Alarm notification rules and channels, imported by AlarmsModule for its AlarmTransitionHooks:
 *
 *   domain/alarm-notification-rules.ts   matching (kinds, types, severity, scope, transitions,
 *                                        suppression), the idempotency key, the webhook document, the e-mail
 *   application/alarm-notifications.service.ts
 *                                        AlarmTransitionHooks: rate limit under the rule's row lock, one
 *                                        outbox message per (rule, channel, transition) via Mailer / Webhooks
 *   application/alarm-notification-config.service.ts
 *                                        channels and rules CRUD (webhook secrets kept by shared/webhook)
 *   infrastructure/alarm-notifications.repositories.ts
 *                                        SQL over notification_channels, notification_rules(_channels),
 *                                        alarm_notifications (migration AlarmNotifications)
 *   presentation/alarm-notifications.*   notificationChannels, notificationRules, alarmNotifications and
 *                                        their mutations (alarms:configure)
 *   domain/alarm-digest.ts, application/alarm-digest.service.ts, infrastructure/alarm-digest.repository.ts,
 *   presentation/alarm-digest.*          weekly digests of weeklyDigest rules (the access context's weekly
 *                                        summary and the week's alarm figures) on a timer and by sendAlarmDigest
 */
@Module({
  imports: [DatabaseModule, AccessModule],
  providers: [
    { provide: NotificationChannelRepository, useClass: SqlNotificationChannelRepository },
    { provide: NotificationRuleRepository, useClass: SqlNotificationRuleRepository },
    { provide: AlarmNotificationLog, useClass: SqlAlarmNotificationLog },
    AlarmNotifications,
    { provide: AlarmTransitionHooks, useExisting: AlarmNotifications },
    AlarmNotificationConfigService,
    AlarmNotificationsResolver,
    { provide: AlarmDigestFigures, useClass: SqlAlarmDigestFigures },
    AlarmDigests,
    AlarmDigestResolver,
  ],
  exports: [AlarmTransitionHooks],
})
export class AlarmNotificationsModule {}
