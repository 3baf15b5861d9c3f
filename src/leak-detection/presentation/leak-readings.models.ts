import { Field, Float, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import type { AnomalyLevelName } from '../application/leak-readings.ports.js';

export const AnomalyLevelEnum = { UNDEFINED: 'UNDEFINED', OK: 'OK', WARNING: 'WARNING', CRITICAL: 'CRITICAL' } as const;
registerEnumType(AnomalyLevelEnum, {
  name: 'AnomalyLevel',
  description:
    'UNDEFINED during warm-up (fewer than a window of readings); then OK below warningPercent of the baseline, WARNING from it, CRITICAL from criticalPercent.',
});

@ObjectType('PpmvReading', { description: 'One gas reading of a sensor.' })
export class PpmvReadingModel {
  @Field() sensorName: string;
  @Field() ts: Date;
  @Field(() => Float, { description: 'Parts per million by volume.' }) ppmv: number;
}

@ObjectType('ScoredPpmvReading', { description: 'A reading with the anomaly level it was scored (null until scored).' })
export class ScoredReadingModel {
  @Field() ts: Date;
  @Field(() => Float) ppmv: number;
  @Field(() => AnomalyLevelEnum, { nullable: true }) level: AnomalyLevelName | null;
  @Field(() => Float, { nullable: true, description: "Percent of the baseline's worst distance." })
  percent: number | null;
}

@ObjectType('PpmvBucket', { description: 'Readings of one bucket: ppmv min/max/avg and the worst level among them.' })
export class PpmvBucketModel {
  @Field({ description: 'Start of the bucket.' }) t: Date;
  @Field(() => Int) count: number;
  @Field(() => Float) min: number;
  @Field(() => Float) max: number;
  @Field(() => Float) avg: number;
  @Field(() => AnomalyLevelEnum, { nullable: true }) worstLevel: AnomalyLevelName | null;
}

@ObjectType('PpmvSeries', { description: "A sensor's readings over the window: raw (readings) or bucketed (buckets)." })
export class PpmvSeriesModel {
  @Field() sensorName: string;
  @Field(() => [ScoredReadingModel], { nullable: true, description: 'Raw readings (without bucketSeconds/maxPoints).' })
  readings: ScoredReadingModel[] | null;
  @Field({ description: 'Raw only: more readings than `limit` lie in the window.' }) truncated: boolean;
  @Field(() => [PpmvBucketModel], { nullable: true, description: 'Buckets (with bucketSeconds or maxPoints).' })
  buckets: PpmvBucketModel[] | null;
}
