import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { AlarmDigests } from '../application/alarm-digest.service.js';
import { SendAlarmDigestArgs } from './alarm-digest.inputs.js';
import { AlarmDigestOutcomeModel } from './alarm-digest.models.js';

/** Weekly digests by hand (alarms:configure); the scheduled ones need no call. */
@Resolver()
export class AlarmDigestResolver {
  constructor(private readonly digests: AlarmDigests) {}

  @RequirePermission(PERMISSIONS.ALARMS_CONFIGURE)
  @Mutation(() => AlarmDigestOutcomeModel, {
    description:
      "Enqueues a rule's weekly digest (the access summary and the alarm figures of the week) to its channels, " +
      'once per channel and week: asking again enqueues nothing (enqueued false). BAD_USER_INPUT naming weekStart ' +
      '(not a Monday 00:00 UTC, or the week has not ended) or ruleId (no weeklyDigest); NOT_FOUND for an unknown rule.',
  })
  async sendAlarmDigest(@Args() { ruleId, weekStart }: SendAlarmDigestArgs): Promise<AlarmDigestOutcomeModel> {
    const outcome = await this.digests.sendOne(ruleId, weekStart);
    return { ...outcome, enqueued: outcome.channels.some((c) => c.enqueued) };
  }
}
