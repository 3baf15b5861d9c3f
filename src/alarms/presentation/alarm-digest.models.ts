import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('AlarmDigestChannel')
export class AlarmDigestChannelModel {
  @Field(() => Int) channelId: number;
  @Field({ description: "False: this week's digest for the channel was in the outbox already; nothing more is sent." })
  enqueued: boolean;
}

@ObjectType('AlarmDigestOutcome', { description: "A rule's weekly digest: one outbox message per channel and week." })
export class AlarmDigestOutcomeModel {
  @Field(() => Int) ruleId: number;
  @Field() weekStart: Date;
  @Field() weekEnd: Date;
  @Field(() => [AlarmDigestChannelModel]) channels: AlarmDigestChannelModel[];
  @Field({ description: 'Whether anything was enqueued now (false: the same week was sent before).' })
  enqueued: boolean;
}
