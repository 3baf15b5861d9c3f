import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { PageArgs, toPage } from '../../shared/graphql/pagination.js';
import { AlarmNotificationConfigService } from '../application/alarm-notification-config.service.js';
import {
  AlarmNotificationsArgs,
  CreateNotificationChannelInput,
  NotificationRuleInput,
  UpdateNotificationChannelInput,
} from './alarm-notifications.inputs.js';
import {
  AlarmNotificationPage,
  NotificationChannelModel,
  NotificationChannelPage,
  NotificationRuleModel,
  NotificationRulePage,
} from './alarm-notifications.models.js';

const required = (input: NotificationRuleInput) => {
  const missing = (['name', 'transitions', 'channelIds'] as const).filter((k) => input[k] == null);
  if (missing.length)
    throw new InvalidInputError(
      `A rule needs ${missing.join(', ')}`,
      Object.fromEntries(missing.map((k) => [k, 'required'])),
    );
  return { ...input, name: input.name!, transitions: input.transitions!, channelIds: input.channelIds! };
};

/** Alarm notification channels and rules, and what the rules did (alarms:configure). */
@Resolver()
export class AlarmNotificationsResolver {
  constructor(private readonly config: AlarmNotificationConfigService) {}

  @RequirePermission(PERMISSIONS.ALARMS_CONFIGURE)
  @Query(() => NotificationChannelPage, { description: 'Notification channels by name (secrets never shown).' })
  async notificationChannels(@Args() { offset, limit }: PageArgs) {
    return toPage(await this.config.listChannels({ offset, limit }));
  }

  @RequirePermission(PERMISSIONS.ALARMS_CONFIGURE)
  @Mutation(() => NotificationChannelModel, {
    description:
      'EMAIL with recipients, or WEBHOOK with url (and a signing secret). BAD_USER_INPUT naming name, recipients, url or secret; CONFLICT on a taken name.',
  })
  createNotificationChannel(@Args('input') input: CreateNotificationChannelInput) {
    return this.config.createChannel(input.kind, input);
  }

  @RequirePermission(PERMISSIONS.ALARMS_CONFIGURE)
  @Mutation(() => NotificationChannelModel, { description: 'Changes a channel; fields left out stay.' })
  updateNotificationChannel(
    @Args('id', { type: () => Int }) id: number,
    @Args('input') input: UpdateNotificationChannelInput,
  ) {
    if (input.removeSecret && input.secret)
      throw new InvalidInputError('Set a secret or remove it, not both', { removeSecret: 'conflicts with secret' });
    return this.config.updateChannel(id, {
      name: input.name ?? undefined,
      recipients: input.recipients ?? undefined,
      url: input.url ?? undefined,
      secret: input.removeSecret ? null : (input.secret ?? undefined),
    });
  }

  @RequirePermission(PERMISSIONS.ALARMS_CONFIGURE)
  @Mutation(() => NotificationChannelModel, { description: 'Removes a channel; CONFLICT while a rule sends to it.' })
  deleteNotificationChannel(@Args('id', { type: () => Int }) id: number) {
    return this.config.deleteChannel(id);
  }

  @RequirePermission(PERMISSIONS.ALARMS_CONFIGURE)
  @Query(() => NotificationRulePage, { description: 'Notification rules by name.' })
  async notificationRules(@Args() { offset, limit }: PageArgs) {
    return toPage(await this.config.listRules({ offset, limit }));
  }

  @RequirePermission(PERMISSIONS.ALARMS_CONFIGURE)
  @Mutation(() => NotificationRuleModel, {
    description:
      'A rule needs name, transitions and channelIds. BAD_USER_INPUT naming the field (an unknown channel: channelIds); CONFLICT on a taken name.',
  })
  createNotificationRule(@Args('input') input: NotificationRuleInput) {
    return this.config.createRule(required(input));
  }

  @RequirePermission(PERMISSIONS.ALARMS_CONFIGURE)
  @Mutation(() => NotificationRuleModel, {
    description: 'Changes a rule; fields left out stay, null experiment or rateLimit removes it.',
  })
  updateNotificationRule(@Args('id', { type: () => Int }) id: number, @Args('input') input: NotificationRuleInput) {
    return this.config.updateRule(id, input);
  }

  @RequirePermission(PERMISSIONS.ALARMS_CONFIGURE)
  @Mutation(() => NotificationRuleModel, { description: 'Removes a rule (and its record of notifications).' })
  deleteNotificationRule(@Args('id', { type: () => Int }) id: number) {
    return this.config.deleteRule(id);
  }

  @RequirePermission(PERMISSIONS.ALARMS_CONFIGURE)
  @Query(() => AlarmNotificationPage, {
    description: 'What rules did with alarm transitions, newest first: enqueued, or held back by a rate limit.',
  })
  async alarmNotifications(@Args() { offset, limit, ruleId, alarmId, outcome }: AlarmNotificationsArgs) {
    return toPage(
      await this.config.notifications(
        { ruleId: ruleId ?? undefined, alarmId: alarmId ? Number(alarmId) : undefined, outcome: outcome ?? undefined },
        { offset, limit },
      ),
    );
  }
}
