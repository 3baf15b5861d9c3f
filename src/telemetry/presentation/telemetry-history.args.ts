import { ArgsType, Field } from '@nestjs/graphql';
import { ArrayMaxSize, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { AXIS_NAMES, type AxisName } from '../../machines/domain/machine.js';
import { HistoryWindowArgs } from '../../shared/ingestion/history-window.args.js';
import { HISTORY_LIMITS } from '../../shared/ingestion/history-window.js';
import { SampleAxisEnum } from './live-telemetry.models.js';

/** The window, the resolution and the machines of a history query. */
@ArgsType()
export class HistoryArgs extends HistoryWindowArgs {
  @Field(() => [String], {
    description: `Machine codes, at most ${HISTORY_LIMITS.maxSources}; an unknown code is refused (BAD_USER_INPUT naming it).`,
  })
  @ArrayMaxSize(HISTORY_LIMITS.maxSources)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  machineCodes: string[];
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
