import { applyDecorators } from '@nestjs/common';
import { ArgsType, Field, Float } from '@nestjs/graphql';
import { ArrayMaxSize, IsOptional, IsPositive, IsString, Max, MaxLength } from 'class-validator';
import { HistoryWindowArgs } from '../../shared/ingestion/history-window.args.js';
import { HISTORY_LIMITS } from '../../shared/ingestion/history-window.js';

@ArgsType()
export class PpmvHistoryArgs extends HistoryWindowArgs {
  @Field(() => [String], {
    description: `Sensor names, at most ${HISTORY_LIMITS.maxSources}; an unknown one is refused.`,
  })
  @ArrayMaxSize(HISTORY_LIMITS.maxSources)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  sensorNames: string[];
}

/** The optional sensor filter of every list and subscription: at most HISTORY_LIMITS.maxSources names. */
export function SensorNamesFilter(): PropertyDecorator {
  return applyDecorators(
    Field(() => [String], {
      nullable: true,
      description: 'Only these sensors (every sensor when omitted); an unknown one is refused.',
    }),
    IsOptional(),
    ArrayMaxSize(HISTORY_LIMITS.maxSources),
    IsString({ each: true }),
    MaxLength(100, { each: true }),
  );
}

@ArgsType()
export class SensorNamesArgs {
  @SensorNamesFilter()
  sensorNames?: string[] | null;
}

@ArgsType()
export class PpmvReadingAddedArgs extends SensorNamesArgs {
  @Field(() => Float, {
    nullable: true,
    description: 'Coalescing for dashboards: per sensor at most this many readings a second, each the newest.',
  })
  @IsOptional()
  @IsPositive()
  @Max(1000)
  maxRatePerSecond?: number | null;
}
