import { ArgsType, Field, Float } from '@nestjs/graphql';
import { IsBoolean, IsDate, IsIn, IsOptional, IsPositive, IsString, Max, MaxLength } from 'class-validator';
import { PageArgs } from '../../shared/graphql/pagination.js';
import { SensorNamesFilter } from './leak-readings.args.js';
import { ANOMALY_LEVELS, type AnomalyLevel } from '../domain/anomaly-level.js';
import { SYSTEM_EVENT_TYPES, type SystemEventType } from '../application/anomaly-levels.ports.js';
import { AnomalyLevelEnum } from './leak-readings.models.js';
import { SystemEventTypeEnum } from './leak-events.models.js';

@ArgsType()
export class LeakSensorEventsArgs extends PageArgs {
  @SensorNamesFilter()
  sensorNames?: string[] | null;

  @Field(() => [AnomalyLevelEnum], { nullable: true, description: 'Only changes to these levels.' })
  @IsOptional()
  @IsIn(ANOMALY_LEVELS, { each: true })
  levels?: AnomalyLevel[] | null;

  @Field(() => Date, { nullable: true, description: 'From this time on (inclusive).' })
  @IsOptional()
  @IsDate()
  from?: Date | null;
  @Field(() => Date, { nullable: true, description: 'Before this time (exclusive).' })
  @IsOptional()
  @IsDate()
  to?: Date | null;
}

@ArgsType()
export class LeakSystemEventsArgs extends PageArgs {
  @Field(() => [SystemEventTypeEnum], { nullable: true, description: 'Only these types.' })
  @IsOptional()
  @IsIn(SYSTEM_EVENT_TYPES, { each: true })
  types?: SystemEventType[] | null;

  @SensorNamesFilter()
  sensorNames?: string[] | null;

  @Field(() => Date, { nullable: true, description: 'From this time on (inclusive).' })
  @IsOptional()
  @IsDate()
  from?: Date | null;
  @Field(() => Date, { nullable: true, description: 'Before this time (exclusive).' })
  @IsOptional()
  @IsDate()
  to?: Date | null;
}

@ArgsType()
export class AnomalyLevelAddedArgs {
  @SensorNamesFilter()
  sensorNames?: string[] | null;

  @Field(() => [AnomalyLevelEnum], { nullable: true, description: 'Only readings scored at these levels.' })
  @IsOptional()
  @IsIn(ANOMALY_LEVELS, { each: true })
  levels?: AnomalyLevel[] | null;

  @Field(() => Float, {
    nullable: true,
    description: 'Coalescing for dashboards: per sensor at most this many a second, each the newest.',
  })
  @IsOptional()
  @IsPositive()
  @Max(1000)
  maxRatePerSecond?: number | null;
}

@ArgsType()
export class LeakSensorEventAddedArgs {
  @SensorNamesFilter()
  sensorNames?: string[] | null;

  @Field(() => [AnomalyLevelEnum], { nullable: true, description: 'Only changes to these levels.' })
  @IsOptional()
  @IsIn(ANOMALY_LEVELS, { each: true })
  levels?: AnomalyLevel[] | null;
}

@ArgsType()
export class LeakSystemEventAddedArgs {
  @Field(() => [SystemEventTypeEnum], { nullable: true, description: 'Only these types.' })
  @IsOptional()
  @IsIn(SYSTEM_EVENT_TYPES, { each: true })
  types?: SystemEventType[] | null;
}

@ArgsType()
export class SetSensorFeedbackModeArgs {
  @Field({ description: "The sensor's name (tag)." }) @IsString() @MaxLength(100) sensorName: string;
  @Field({ description: 'On: the readings from now are normal; off: learn them (when the sensor may).' })
  @IsBoolean()
  on: boolean;
}
