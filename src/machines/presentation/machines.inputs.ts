import { ArgsType, Field, Float, InputType, Int, OmitType, PartialType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  Length,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageArgs } from '../../shared/graphql/pagination.js';
import { AXIS_NAMES, MACHINE_CODE, type AxisName } from '../domain/machine.js';
import { AxisNameEnum } from './machines.models.js';

/**
 * Update inputs: every field optional, no defaults (an omitted field stays as it is), and
 * null refused where the field cannot be empty.
 */
const PARTIAL = { omitDefaultValues: true, skipNullProperties: false };
const FINITE = { allowNaN: false, allowInfinity: false };

@InputType()
export class AxisInput {
  @Field(() => AxisNameEnum) @IsIn(AXIS_NAMES) name: AxisName;
  @Field(() => Float, { description: 'Greater than 0.' }) @IsNumber(FINITE) @IsPositive() maxVelocity: number;
  @Field(() => Float, { description: 'Greater than 0.' }) @IsNumber(FINITE) @IsPositive() maxAcceleration: number;
}

@InputType()
export class UpdateAxisInput extends PartialType(AxisInput, PARTIAL) {}

@InputType()
export class ToolInput {
  @Field(() => Int, { description: "The tool's place in the magazine, 1 or more; unique per machine." })
  @IsInt()
  @Min(1)
  number: number;
  @Field(() => Float, { nullable: true, description: 'When omitted at creation: 0.' })
  @IsOptional()
  @IsNumber(FINITE)
  toolOffset?: number;
  @Field(() => Float, { nullable: true, description: '0 or more; when omitted at creation, 0.' })
  @IsOptional()
  @IsNumber(FINITE)
  @Min(0)
  feedRate?: number;
}

@InputType()
export class UpdateToolInput extends PartialType(ToolInput, PARTIAL) {}

@InputType()
export class CreateMachineInput {
  @Field({ description: 'Unique; 1 to 64 letters, digits, "_" or "-" (it appears in MQTT topics).' })
  @Matches(MACHINE_CODE, { message: 'code must be 1 to 64 characters: letters, digits, "_" or "-"' })
  code: string;
  @Field() @IsString() @Length(1, 200) name: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(200) model?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(200) maker?: string;
  @Field(() => Float, { nullable: true, description: '0 or more.' })
  @IsOptional()
  @IsNumber(FINITE)
  @Min(0)
  capacityAmps?: number | null;
  @Field(() => String, { nullable: true, description: 'Calendar date, YYYY-MM-DD.' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'dateOfPurchase must be a date written YYYY-MM-DD' })
  dateOfPurchase?: string | null;
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() @Min(1) machineTypeId?: number | null;
  @Field({ nullable: true, description: 'When omitted at creation: false.' })
  @IsOptional()
  @IsBoolean()
  blocked?: boolean;
  @Field(() => [AxisInput], { nullable: true, description: 'At most one of each axis.' })
  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => AxisInput)
  axes?: AxisInput[];
  @Field(() => [ToolInput], { nullable: true, description: 'Tool numbers unique.' })
  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => ToolInput)
  tools?: ToolInput[];
}

@InputType()
export class UpdateMachineInput extends PartialType(OmitType(CreateMachineInput, ['axes', 'tools']), PARTIAL) {}

@ArgsType()
export class MachinesArgs extends PageArgs {
  @Field({ nullable: true, description: 'Matches code, name, model or maker.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  text?: string;
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() machineTypeId?: number;
  @Field({ nullable: true }) @IsOptional() @IsBoolean() blocked?: boolean;
}

@InputType()
export class CreateMachineTypeInput {
  @Field({ description: 'Unique.' }) @IsString() @Length(1, 100) name: string;
  @Field(() => Int, { nullable: true, description: '0 (never) or more; when omitted at creation, 0.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  autoLogoffMinutes?: number;
  @Field(() => Int, { nullable: true, description: '0 or more; when omitted at creation, 0.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  graceMinutes?: number;
  @Field({ nullable: true, description: 'When omitted at creation: false.' })
  @IsOptional()
  @IsBoolean()
  needsAuthorization?: boolean;
}

@InputType()
export class UpdateMachineTypeInput extends PartialType(CreateMachineTypeInput, PARTIAL) {}

@InputType()
export class CreateElementTypeInput {
  @Field({ description: 'Unique.' }) @IsString() @Length(1, 100) name: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(100) range?: string;
  @Field(() => Float, { description: 'Amperes, 0 or more.' }) @IsNumber(FINITE) @Min(0) currentMin: number;
  @Field(() => Float, { description: 'Amperes, greater than currentMin.' })
  @IsNumber(FINITE)
  @Min(0)
  currentMax: number;
  @Field(() => Float, { description: 'Volts, 0 or more.' }) @IsNumber(FINITE) @Min(0) voltageMin: number;
  @Field(() => Float, { description: 'Volts, greater than voltageMin.' }) @IsNumber(FINITE) @Min(0) voltageMax: number;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(2000) description?: string;
  @Field({ nullable: true, description: 'When omitted at creation: true.' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

@InputType()
export class UpdateElementTypeInput extends PartialType(CreateElementTypeInput, PARTIAL) {}
