import { Field, Float, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('LeakSensorBaseline', { description: "What a sensor's readings are scored against." })
export class SensorBaselineModel {
  @Field() sensorName: string;
  @Field({ description: "A seed's name (low, mid, high, trestakk1ta) or augmented." }) name: string;
  @Field({ description: 'SEED (where every sensor starts: high), SELECTED or AUGMENTED.' }) source: string;
  @Field(() => Int) points: number;
  @Field(() => Float) mean: number;
  @Field(() => Float) variance: number;
  @Field(() => Date, { nullable: true, description: 'The newest reading an augmentation took in.' })
  readingsUpTo: Date | null;
  @Field(() => Date, { nullable: true }) updatedAt: Date | null;
}
