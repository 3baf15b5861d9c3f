import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Paginated } from '../../shared/graphql/pagination.js';
import type { ThresholdLimit } from '../domain/threshold-episodes.js';

export const ThresholdLimitEnum = { MIN: 'MIN', MAX: 'MAX' } as const satisfies Record<ThresholdLimit, ThresholdLimit>;
registerEnumType(ThresholdLimitEnum, { name: 'ThresholdLimit', description: 'The limit a value crossed.' });

export const PvThresholdEventKindEnum = { STARTED: 'STARTED', ENDED: 'ENDED' } as const;
registerEnumType(PvThresholdEventKindEnum, { name: 'PvThresholdEventKind' });

@ObjectType('PvThresholdSubscription', {
  description: "A user's threshold subscription on a NUMBER PV: an e-mail per episode outside [min, max].",
})
export class PvThresholdSubscriptionModel {
  @Field(() => Int) id: number;
  @Field() userId: string;
  @Field() pvName: string;
  @Field() email: string;
  @Field(() => Float) min: number;
  @Field(() => Float) max: number;
  @Field() createdAt: Date;
}

export const PvThresholdSubscriptionPage = Paginated(PvThresholdSubscriptionModel, 'PvThresholdSubscriptionPage');

@ObjectType('PvThresholdEpisode', {
  description:
    'A time a value stayed outside a subscription’s band: from the value that left it until one back inside by the hysteresis (PV_THRESHOLD_HYSTERESIS_PERCENT of max − min).',
})
export class PvThresholdEpisodeModel {
  @Field(() => ID) id: string;
  @Field(() => Int) subscriptionId: number;
  @Field() pvName: string;
  @Field(() => ThresholdLimitEnum) limit: ThresholdLimit;
  @Field(() => Float, { description: 'The value of the limit crossed.' }) limitValue: number;
  @Field() startedAt: Date;
  @Field(() => Float) startValue: number;
  @Field(() => Float, { description: 'The furthest value beyond the limit.' }) peak: number;
  @Field(() => Date, { nullable: true, description: 'Null while open.' }) endedAt: Date | null;
}

export const PvThresholdEpisodePage = Paginated(PvThresholdEpisodeModel, 'PvThresholdEpisodePage');

@ObjectType('PvThresholdEvent', { description: 'An episode started or ended.' })
export class PvThresholdEventModel {
  @Field(() => PvThresholdEventKindEnum) kind: 'STARTED' | 'ENDED';
  @Field(() => ID) episodeId: string;
  @Field(() => Int) subscriptionId: number;
  @Field() userId: string;
  @Field() pvName: string;
  @Field(() => ThresholdLimitEnum) limit: ThresholdLimit;
  @Field(() => Float) limitValue: number;
  @Field(() => Float, { description: 'The value that started it, or the one that ended it.' }) value: number;
  @Field(() => Float) peak: number;
  @Field() at: Date;
}
