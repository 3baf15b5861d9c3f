import { ArgsType, Field, Int } from '@nestjs/graphql';
import { IsDate, IsInt, Max, Min } from 'class-validator';

/** Types and ranges here (the edge); the week's form (a Monday 00:00 UTC, ended) in the domain. */
@ArgsType()
export class SendAlarmDigestArgs {
  @Field(() => Int, { description: 'A notification rule with weeklyDigest.' })
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  ruleId: number;

  @Field({ description: 'The Monday 00:00 UTC the week starts; the week must have ended.' })
  @IsDate()
  weekStart: Date;
}
