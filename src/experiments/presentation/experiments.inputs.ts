import { ArgsType, Field, Float, InputType, OmitType, PartialType } from '@nestjs/graphql';
import {
  ArrayMaxSize,
  IsBoolean,
  IsDate,
  IsIn,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  IsUUID,
  Max,
  MaxLength,
} from 'class-validator';
import { PageArgs } from '../../shared/graphql/pagination.js';
import { HistoryWindowArgs } from '../../shared/ingestion/history-window.args.js';
import { HISTORY_LIMITS } from '../../shared/ingestion/history-window.js';
import { PV_TYPES, type PvType } from '../domain/experiments.js';
import { PvTypeEnum } from './experiments.models.js';

/**
 * Inputs of experiments and PVs. Types and lengths are checked here (the edge); names,
 * ranges and the rules that span fields (thresholdMin < thresholdMax) in the service, which
 * names every offending field.
 */
const PARTIAL = { omitDefaultValues: true, skipNullProperties: false };
const FINITE = { allowNaN: false, allowInfinity: false };

@InputType()
export class CreateExperimentInput {
  @Field({ description: 'The PV prefix: letters, digits, "_", "-" or "."; never changes.' })
  @IsString()
  @MaxLength(100)
  name: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(200) displayName?: string | null;
}

@InputType()
export class UpdateExperimentInput extends PartialType(OmitType(CreateExperimentInput, ['name'] as const), PARTIAL) {}

@InputType()
export class CreatePvInput {
  @Field({
    description:
      'E.g. `Test:Machine3:FanSpeed1`: segments of letters, digits, "_", "-" or "." joined by ":"; the first names the experiment (created when missing). Never changes.',
  })
  @IsString()
  @MaxLength(100)
  name: string;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(200) displayName?: string | null;
  @Field({ nullable: true, description: "'' when omitted." }) @IsOptional() @IsString() @MaxLength(30) unit?: string;
  @Field({ nullable: true, description: 'false when omitted.' }) @IsOptional() @IsBoolean() writable?: boolean;
  @Field(() => PvTypeEnum, { nullable: true, description: 'NUMBER when omitted.' })
  @IsOptional()
  @IsIn(PV_TYPES)
  type?: PvType;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) thresholdMin?: number | null;
  @Field(() => Float, { nullable: true, description: 'Greater than thresholdMin when both are given.' })
  @IsOptional()
  @IsNumber(FINITE)
  thresholdMax?: number | null;
  @Field(() => Float, { nullable: true, description: 'NUMBER PVs: the smallest value setPv accepts.' })
  @IsOptional()
  @IsNumber(FINITE)
  setMin?: number | null;
  @Field(() => Float, { nullable: true, description: 'NUMBER PVs: the largest value setPv accepts.' })
  @IsOptional()
  @IsNumber(FINITE)
  setMax?: number | null;
}

@InputType()
export class UpdatePvInput extends PartialType(OmitType(CreatePvInput, ['name'] as const), PARTIAL) {}

@InputType({ description: 'The PV an unregistered topic names; its name is the one in the topic.' })
export class RegisterUnregisteredPvInput extends OmitType(CreatePvInput, ['name'] as const) {}

@ArgsType()
export class ExperimentsArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Part of the name or human-readable name, case-insensitive.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  text?: string | null;
}

@ArgsType()
export class ExperimentAssignmentsArgs extends PageArgs {
  @Field() @IsString() @MaxLength(100) experimentName: string;
}

@ArgsType()
export class PvsArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: "Only this experiment's PVs." })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  experimentName?: string | null;
  @Field(() => Boolean, { nullable: true }) @IsOptional() @IsBoolean() writable?: boolean | null;
  @Field(() => PvTypeEnum, { nullable: true }) @IsOptional() @IsIn(PV_TYPES) type?: PvType | null;
  @Field(() => String, { nullable: true, description: 'Part of the name or human-readable name, case-insensitive.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  text?: string | null;
}

@ArgsType()
export class PvScopeArgs {
  @Field(() => String, { nullable: true, description: 'Every PV of this experiment. Give this or pvNames.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  experimentName?: string | null;
  @Field(() => [String], { nullable: true, description: `These PVs (at most ${HISTORY_LIMITS.maxSources}).` })
  @IsOptional()
  @ArrayMaxSize(HISTORY_LIMITS.maxSources)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  pvNames?: string[] | null;
}

@ArgsType()
export class PvValueAddedArgs extends PvScopeArgs {
  @Field(() => Float, {
    nullable: true,
    description: 'Coalescing for dashboards: per PV at most this many values a second, each the newest.',
  })
  @IsOptional()
  @IsPositive()
  @Max(1000)
  maxRatePerSecond?: number | null;
}

@ArgsType()
export class PvHistoryArgs extends HistoryWindowArgs {
  @Field(() => [String], { description: `PV names, at most ${HISTORY_LIMITS.maxSources}.` })
  @ArrayMaxSize(HISTORY_LIMITS.maxSources)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  pvNames: string[];
}

@ArgsType()
export class PvSetsArgs extends PageArgs {
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(100) experimentName?: string | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(100) pvName?: string | null;
  @Field(() => String, { nullable: true, description: 'Only sets by this user.' })
  @IsOptional()
  @IsUUID()
  userId?: string | null;
  @Field(() => Date, { nullable: true, description: 'Sets at or after this time.' })
  @IsOptional()
  @IsDate()
  from?: Date | null;
  @Field(() => Date, { nullable: true, description: 'Sets before this time.' })
  @IsOptional()
  @IsDate()
  to?: Date | null;
}
