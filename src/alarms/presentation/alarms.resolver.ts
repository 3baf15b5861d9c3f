import { Args, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import { CurrentUser, RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import type { Principal } from '../../shared/auth/principal.js';
import { toPage } from '../../shared/graphql/pagination.js';
import { AlarmsService, type AlarmChangedEvent } from '../application/alarms.service.js';
import {
  AcknowledgeAlarmArgs,
  AlarmChangedArgs,
  AlarmHealthArgs,
  AlarmHistoryArgs,
  AlarmIdArgs,
  AlarmsArgs,
  AssignAlarmArgs,
  SetAlarmSourceOutOfServiceArgs,
  ShelveAlarmArgs,
  UnshelveAlarmArgs,
} from './alarms.args.js';
import {
  AlarmChangeModel,
  AlarmHealthModel,
  AlarmModel,
  AlarmPage,
  AlarmSourceServiceModel,
  AlarmSummaryModel,
  AlarmTransitionPage,
  toAlarmModel,
  toChangeModel,
  toTransitionModel,
} from './alarms.models.js';

/** Alarms of every context: the list, history, summary and health figures; acknowledge, assign, shelve. */
@Resolver()
export class AlarmsResolver {
  constructor(private readonly service: AlarmsService) {}

  @RequirePermission(PERMISSIONS.ALARMS_READ)
  @Query(() => AlarmPage, { description: 'Alarms, most recently changed first.' })
  async alarms(@Args() { offset, limit, filter }: AlarmsArgs) {
    return toPage(await this.service.list(filter ?? {}, { offset, limit }), toAlarmModel);
  }

  @RequirePermission(PERMISSIONS.ALARMS_READ)
  @Query(() => AlarmModel)
  async alarm(@Args() { id }: AlarmIdArgs) {
    return toAlarmModel(await this.service.get(Number(id)));
  }

  @RequirePermission(PERMISSIONS.ALARMS_READ)
  @Query(() => AlarmTransitionPage, { description: "An alarm's transitions, newest first." })
  async alarmHistory(@Args() { alarmId, offset, limit }: AlarmHistoryArgs) {
    const page = await this.service.history(Number(alarmId), { offset, limit });
    const names = await this.service.userNames(page.items.map((t) => t.byUserId));
    return toPage(page, (t) => toTransitionModel(t, names));
  }

  @RequirePermission(PERMISSIONS.ALARMS_READ)
  @Query(() => AlarmSummaryModel, { description: 'Open alarms by state and by severity.' })
  alarmSummary() {
    return this.service.summary();
  }

  @RequirePermission(PERMISSIONS.ALARMS_READ)
  @Query(() => AlarmHealthModel, { description: 'ISA-18.2 alarm health figures over [from, to), at most 366 days.' })
  alarmHealth(@Args() { from, to }: AlarmHealthArgs) {
    return this.service.health(from, to);
  }

  @RequirePermission(PERMISSIONS.ALARMS_OPERATE)
  @Mutation(() => AlarmModel, {
    description: 'Acknowledge an unacknowledged alarm (CONFLICT otherwise); one that has returned is then closed.',
  })
  async acknowledgeAlarm(@Args() { id, note }: AcknowledgeAlarmArgs, @CurrentUser() user: Principal) {
    return toAlarmModel(await this.service.acknowledge(Number(id), user.id, note));
  }

  @RequirePermission(PERMISSIONS.ALARMS_OPERATE)
  @Mutation(() => AlarmModel, { description: 'Assign an open alarm to a user, or (userId null) to nobody.' })
  async assignAlarm(@Args() { id, userId }: AssignAlarmArgs, @CurrentUser() user: Principal) {
    return toAlarmModel(await this.service.assign(Number(id), userId ?? null, user.id));
  }

  @RequirePermission(PERMISSIONS.ALARMS_OPERATE)
  @Mutation(() => AlarmModel, {
    description:
      'Shelve an open alarm until a time (at most 30 days ahead) with a reason: it notifies nobody meanwhile.',
  })
  async shelveAlarm(@Args() { id, until, note }: ShelveAlarmArgs, @CurrentUser() user: Principal) {
    return toAlarmModel(await this.service.shelve(Number(id), until, note, user.id));
  }

  @RequirePermission(PERMISSIONS.ALARMS_OPERATE)
  @Mutation(() => AlarmModel, { description: 'Un-shelve before the shelf runs out.' })
  async unshelveAlarm(@Args() { id, note }: UnshelveAlarmArgs, @CurrentUser() user: Principal) {
    return toAlarmModel(await this.service.unshelve(Number(id), user.id, note));
  }

  @RequirePermission(PERMISSIONS.ALARMS_CONFIGURE)
  @Mutation(() => AlarmSourceServiceModel, {
    description:
      'Take an alarm source out of service (its alarms are suppressed, still recorded) or back in service. CONFLICT when it is so already.',
  })
  setAlarmSourceOutOfService(
    @Args() { kind, key, outOfService, note }: SetAlarmSourceOutOfServiceArgs,
    @CurrentUser() user: Principal,
  ) {
    return this.service.setOutOfService({ kind, key }, outOfService, note, user.id);
  }

  @RequirePermission(PERMISSIONS.ALARMS_READ)
  @Subscription(() => AlarmChangeModel, {
    description: 'Every alarm transition once committed, filtered like the list (without its time window).',
    resolve: toChangeModel,
  })
  alarmChanged(@Args() { filter }: AlarmChangedArgs): AsyncIterableIterator<AlarmChangedEvent> {
    return this.service.changes(filter ?? {});
  }
}
