import { ArgsType, Field, Float, InputType, Int, PartialType } from '@nestjs/graphql';
import {
  ArrayMaxSize,
  IsBoolean,
  IsDate,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  Min,
} from 'class-validator';
import { PageArgs } from '../../shared/graphql/pagination.js';

/**
 * Update inputs: every field optional, no defaults (an omitted field stays as it is), and
 * null refused where the field cannot be empty.
 */
const PARTIAL = { omitDefaultValues: true, skipNullProperties: false };
const FINITE = { allowNaN: false, allowInfinity: false };
const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

@InputType()
export class CreateOperatorInput {
  @Field() @IsString() @Length(1, 200) name: string;
  @Field(() => Int, { description: 'The welder number, 1 or more: unique.' }) @IsInt() @Min(1) number: number;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(200) qualification?: string;
  @Field(() => Float, { nullable: true, description: 'mm, 0 or more.' })
  @IsOptional()
  @IsNumber(FINITE)
  @Min(0)
  qualifiedThickness?: number | null;
  @Field(() => String, { nullable: true, description: 'Calendar date, YYYY-MM-DD.' })
  @IsOptional()
  @Matches(CALENDAR_DATE, { message: 'dateOfJoining must be a calendar date YYYY-MM-DD' })
  dateOfJoining?: string | null;
  @Field({ nullable: true, description: 'Default true.' }) @IsOptional() @IsBoolean() active?: boolean;
}

@InputType()
export class UpdateOperatorInput extends PartialType(CreateOperatorInput, PARTIAL) {}

@ArgsType()
export class OperatorsArgs extends PageArgs {
  @Field({ nullable: true, description: 'Matches name or qualification.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  text?: string;
  @Field({ nullable: true }) @IsOptional() @IsBoolean() active?: boolean;
}

@InputType()
export class CreateShiftInput {
  @Field() @IsString() @Length(1, 64) machineCode: string;
  @Field(() => Int, { description: 'An active operator.' }) @IsInt() operatorId: number;
  @Field(() => Int, { description: 'An active element type: its standard applies during the shift.' })
  @IsInt()
  elementTypeId: number;
  @Field() @IsDate() startsAt: Date;
  @Field({ description: 'After startsAt.' }) @IsDate() endsAt: Date;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(50) plateThickness?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(2000) plateDescription?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(2000) remarks?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(100) iNo?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(100) fcNo?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(100) project?: string;
}

@InputType()
export class UpdateShiftInput extends PartialType(CreateShiftInput, PARTIAL) {}

@ArgsType()
export class ShiftsArgs extends PageArgs {
  @Field(() => [String], { nullable: true, description: 'Only shifts of these machines.' })
  @IsOptional()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  machineCodes?: string[];
  @Field({ nullable: true, description: 'Only shifts ending after this instant.' }) @IsOptional() @IsDate() from?: Date;
  @Field({ nullable: true, description: 'Only shifts starting before this instant.' })
  @IsOptional()
  @IsDate()
  to?: Date;
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() operatorId?: number;
}

@InputType()
export class CreateInstructionInput {
  @Field({ description: 'Unique.' }) @IsString() @Length(1, 2000) text: string;
}
