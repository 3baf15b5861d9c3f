import { ArgsType, Field, Float, InputType, Int } from '@nestjs/graphql';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsDate,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MaxLength,
} from 'class-validator';
import { MAX_TIMELINE_ROWS } from '../application/machine-state.service.js';

const FINITE = { allowNaN: false, allowInfinity: false };

@InputType({ description: 'Omitted fields stay as they are; null opens a bound.' })
export class UpdateMachineStateBandInput {
  @Field(() => Int, { nullable: true, description: '1 to 1000; lower is tried first.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  priority?: number;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) currentMin?: number | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) currentMax?: number | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) voltageMin?: number | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) voltageMax?: number | null;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(20) color?: string;
}

/** `lastMinutes`, or `from` with an optional `to` (default now); nothing: the last hour. */
@ArgsType()
export class MachineWindowArgs {
  @Field(() => [String]) @ArrayMinSize(1) @ArrayMaxSize(200) @IsString({ each: true }) machineCodes: string[];
  @Field({ nullable: true }) @IsOptional() @IsDate() from?: Date;
  @Field({ nullable: true, description: 'Default now.' }) @IsOptional() @IsDate() to?: Date;
  @Field(() => Int, { nullable: true, description: 'The last N minutes up to now.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  lastMinutes?: number;
  @Field(() => Int, { defaultValue: 2000, description: `At most this many rows (up to ${MAX_TIMELINE_ROWS}).` })
  @IsInt()
  @Min(1)
  @Max(MAX_TIMELINE_ROWS)
  limit: number;
}

@ArgsType()
export class MachineCodesArgs {
  @Field(() => [String], { nullable: true, description: 'Only these machines; all when omitted.' })
  @IsOptional()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { each: true, message: 'machineCodes must be machine codes' })
  machineCodes?: string[];
}
