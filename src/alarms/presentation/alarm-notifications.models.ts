import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Paginated } from '../../shared/graphql/pagination.js';
import type { AlarmSeverity, AlarmSourceKind, AlarmTransitionKind } from '../domain/alarm.js';
import { NOTIFICATION_CHANNEL_KINDS, type NotificationChannelKind } from '../domain/alarm-notification-rules.js';
import { NOTIFICATION_OUTCOMES, type NotificationOutcome } from '../application/alarm-notifications.ports.js';
import { AlarmSeverityEnum, AlarmSourceKindEnum, AlarmTransitionKindEnum } from './alarms.models.js';

const enumOf = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const NotificationChannelKindEnum = enumOf(NOTIFICATION_CHANNEL_KINDS);
registerEnumType(NotificationChannelKindEnum, {
  name: 'NotificationChannelKind',
  description: 'EMAIL: an e-mail to its recipients; WEBHOOK: a signed HTTP POST of a JSON document to its URL.',
});
export const NotificationOutcomeEnum = enumOf(NOTIFICATION_OUTCOMES);
registerEnumType(NotificationOutcomeEnum, {
  name: 'NotificationOutcome',
  description: "ENQUEUED: a message per channel is in the outbox; RATE_LIMITED: held back by the rule's rate limit.",
});

@ObjectType('NotificationChannel', { description: 'Where alarm notifications go.' })
export class NotificationChannelModel {
  @Field(() => Int) id: number;
  @Field() name: string;
  @Field(() => NotificationChannelKindEnum) kind: NotificationChannelKind;
  @Field(() => [String], { description: 'EMAIL: the addresses; empty for WEBHOOK.' }) recipients: string[];
  @Field(() => String, { nullable: true, description: 'WEBHOOK: where calls are POSTed.' }) url: string | null;
  @Field({ description: 'WEBHOOK: whether calls are signed. The secret itself is never shown.' })
  hasSecret: boolean;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;
}

export const NotificationChannelPage = Paginated(NotificationChannelModel, 'NotificationChannelPage');

@ObjectType('NotificationRateLimit')
export class NotificationRateLimitModel {
  @Field(() => Int, { description: 'At most this many notifications (one per transition, whatever the channels)…' })
  max: number;
  @Field(() => Int, { description: '…within this many seconds.' }) windowSeconds: number;
}

@ObjectType('NotificationRule', {
  description:
    'Which alarms notify, on which transitions, to which channels. Every criterion given must hold; an empty list means any.',
})
export class NotificationRuleModel {
  @Field(() => Int) id: number;
  @Field() name: string;
  @Field() enabled: boolean;
  @Field(() => [AlarmSourceKindEnum]) sourceKinds: AlarmSourceKind[];
  @Field(() => [String]) types: string[];
  @Field(() => AlarmSeverityEnum, { description: 'Alarms at least this severe.' }) minSeverity: AlarmSeverity;
  @Field(() => [String], { description: 'Scope: these source keys (machine, sensor, PV ids…) only.' })
  sourceKeys: string[];
  @Field(() => String, { nullable: true, description: "Scope: this experiment's PVs only." })
  experiment: string | null;
  @Field(() => [AlarmTransitionKindEnum], {
    description:
      'Sent on these. With RAISED, an alarm still active when its shelf runs out (UNSHELVED) or back in service notifies as a raise.',
  })
  transitions: AlarmTransitionKind[];
  @Field(() => [Int]) channelIds: number[];
  @Field(() => NotificationRateLimitModel, { nullable: true }) rateLimit: NotificationRateLimitModel | null;
  @Field() weeklyDigest: boolean;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;
}

export const NotificationRulePage = Paginated(NotificationRuleModel, 'NotificationRulePage');

@ObjectType('AlarmNotification', { description: 'What a rule did with one alarm transition.' })
export class AlarmNotificationModel {
  @Field() id: string;
  @Field(() => Int) ruleId: number;
  @Field(() => ID) alarmId: number;
  @Field(() => ID) transitionId: number;
  @Field(() => AlarmTransitionKindEnum) transitionKind: AlarmTransitionKind;
  @Field(() => NotificationOutcomeEnum) outcome: NotificationOutcome;
  @Field(() => Int, { description: 'Messages enqueued (one per channel; 0 when held back).' }) channels: number;
  @Field() createdAt: Date;
}

export const AlarmNotificationPage = Paginated(AlarmNotificationModel, 'AlarmNotificationPage');
