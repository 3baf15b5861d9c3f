import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { Paginated } from '../../shared/graphql/pagination.js';

@ObjectType('PvValue', { description: 'One value of a PV: `value` for NUMBER PVs, `text` for TEXT PVs.' })
export class PvValueModel {
  @Field() pvName: string;
  @Field() ts: Date;
  @Field(() => Float, { nullable: true }) value: number | null;
  @Field(() => String, { nullable: true }) text: string | null;
}

@ObjectType('PvSample', { description: 'A stored value in a series (its PV is the series).' })
export class PvSampleModel {
  @Field() ts: Date;
  @Field(() => Float, { nullable: true }) value: number | null;
  @Field(() => String, { nullable: true }) text: string | null;
}

@ObjectType('PvBucket', { description: 'Values of one bucket: min/max/avg of numbers, the last of texts.' })
export class PvBucketModel {
  @Field({ description: 'Start of the bucket.' }) t: Date;
  @Field(() => Int) count: number;
  @Field(() => Float, { nullable: true }) min: number | null;
  @Field(() => Float, { nullable: true }) max: number | null;
  @Field(() => Float, { nullable: true }) avg: number | null;
  @Field(() => String, { nullable: true, description: 'TEXT PVs: the newest text of the bucket.' })
  lastText: string | null;
}

@ObjectType('PvSeries', { description: "A PV's values over the window: raw (samples) or bucketed (buckets)." })
export class PvSeriesModel {
  @Field() pvName: string;
  @Field(() => [PvSampleModel], { nullable: true, description: 'Raw values (without bucketSeconds/maxPoints).' })
  samples: PvSampleModel[] | null;
  @Field({ description: 'Raw only: more values than `limit` lie in the window.' }) truncated: boolean;
  @Field(() => [PvBucketModel], { nullable: true, description: 'Buckets (with bucketSeconds or maxPoints).' })
  buckets: PvBucketModel[] | null;
}

@ObjectType('PvSet', { description: 'A value set on a PV through the API and acknowledged by the broker.' })
export class PvSetModel {
  @Field() id: string;
  @Field() pvName: string;
  @Field(() => String, { nullable: true, description: 'Who set it (null once the account is gone).' })
  userId: string | null;
  @Field(() => String, { nullable: true }) userDisplayName: string | null;
  @Field({ description: 'The text published on the set topic.' }) value: string;
  @Field({ description: 'When it was set.' }) at: Date;
}

export const PvSetPage = Paginated(PvSetModel, 'PvSetPage');
