import { ArgsType, Field, Float, Int } from '@nestjs/graphql';
import {
  ArrayMaxSize,
  IsDate,
  IsIn,
  IsInt,
  IsOptional,
  IsPositive,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { AXIS_NAMES, type AxisName } from '../../machines/domain/machine.js';
import { HISTORY_LIMITS } from '../domain/history-window.js';
import { SampleAxisEnum } from './live-telemetry.models.js';

const MAX_LAST_MINUTES = HISTORY_LIMITS.maxWindowDays * 24 * 60;
const DATE_TIME = { message: '$property must be an ISO-8601 date-time' };

/** The window, the resolution and the machines of a history query. */
@ArgsType()
export class HistoryArgs {
  @Field(() => [String], {
    description: `Machine codes, at most ${HISTORY_LIMITS.maxMachines}; an unknown code is refused (BAD_USER_INPUT naming it).`,
  })
  @ArrayMaxSize(HISTORY_LIMITS.maxMachines)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  machineCodes: string[];

  @Field(() => Date, {
    nullable: true,
    description: 'Start of the window (inclusive). Give from (and to) or lastMinutes.',
  })
  @IsOptional()
  @IsDate(DATE_TIME)
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'End of the window (exclusive); now when omitted.' })
  @IsOptional()
  @IsDate(DATE_TIME)
  to?: Date | null;

  @Field(() => Int, {
    nullable: true,
    description: `The window is the last this many minutes (1 to ${MAX_LAST_MINUTES}). The window is at most ${HISTORY_LIMITS.maxWindowDays} days however given.`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_LAST_MINUTES)
  lastMinutes?: number | null;

  @Field(() => Float, {
    nullable: true,
    description: `Bucket the samples by this width (whole milliseconds, 0.001 or more; at most ${HISTORY_LIMITS.maxBuckets} buckets per series). Without bucketSeconds or maxPoints the series are raw samples.`,
  })
  @IsOptional()
  @IsPositive()
  bucketSeconds?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: `Bucket the samples so that each series has at most this many buckets (2 to ${HISTORY_LIMITS.maxBuckets}); the width chosen is in bucketSeconds of the answer. From a second up the width is whole seconds (whole minutes from four minutes up), so that per-second and per-minute summaries serve it: a series may then have fewer buckets, at least half as many (80 % from four minutes up), and exactly this many when the window is aligned to the width.`,
  })
  @IsOptional()
  @IsInt()
  @Min(2)
  @Max(HISTORY_LIMITS.maxBuckets)
  maxPoints?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: `Raw samples only: at most this many per series, the first from \`from\` (default ${HISTORY_LIMITS.defaultRawLimit}, at most ${HISTORY_LIMITS.maxRawLimit}).`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(HISTORY_LIMITS.maxRawLimit)
  limit?: number | null;
}

@ArgsType()
export class AxisHistoryArgs extends HistoryArgs {
  @Field(() => [SampleAxisEnum], {
    nullable: true,
    description: "Every combination of the machines and these axes; each machine's own axes when omitted.",
  })
  @IsOptional()
  @IsIn(AXIS_NAMES, { each: true })
  axes?: AxisName[] | null;
}
