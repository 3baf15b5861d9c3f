import { ArgsType, Field, Float } from '@nestjs/graphql';
import { ArrayMaxSize, IsIn, IsOptional, IsPositive, IsString, Max, MaxLength } from 'class-validator';
import { AXIS_NAMES, type AxisName } from '../../machines/domain/machine.js';
import { SampleAxisEnum } from './live-telemetry.models.js';

const MAX_CODES = 1000;

@ArgsType()
export class LatestTelemetryArgs {
  @Field(() => [String], { nullable: true, description: 'Only these machines; all when omitted.' })
  @IsOptional()
  @ArrayMaxSize(MAX_CODES)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  machineCodes?: string[] | null;
}

@ArgsType()
export class ElectricalSampleAddedArgs extends LatestTelemetryArgs {
  @Field(() => Float, {
    nullable: true,
    description:
      'For dashboards: at most this many samples per second per machine, each the newest at that moment; every sample when omitted.',
  })
  @IsOptional()
  @IsPositive()
  @Max(1000)
  maxRatePerSecond?: number | null;
}

@ArgsType()
export class AxisSampleAddedArgs extends ElectricalSampleAddedArgs {
  @Field(() => [SampleAxisEnum], { nullable: true, description: 'Only these axes; all when omitted.' })
  @IsOptional()
  @IsIn(AXIS_NAMES, { each: true })
  axes?: AxisName[] | null;
}
