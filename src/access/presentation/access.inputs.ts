import { ArgsType, Field, Float, ID, InputType, Int, OmitType, PartialType } from '@nestjs/graphql';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsDate,
  IsEmail,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  IsUrl,
  Length,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { Type } from 'class-transformer';
import { PageArgs } from '../../shared/graphql/pagination.js';
import { LCD_MESSAGE_MAX } from '../domain/maintenance.js';
import { UsageGroupingEnum } from './access.models.js';

const PARTIAL = { omitDefaultValues: true, skipNullProperties: false };
const FINITE = { allowNaN: false, allowInfinity: false };
const CARD_UID = /^[0-9a-fA-F]{8}$/;
const HTTP_URL = { protocols: ['http', 'https'], require_protocol: true };

@ArgsType()
export class AuthorizationsArgs extends PageArgs {
  @Field(() => ID, { nullable: true }) @IsOptional() @IsString() userId?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() machineCode?: string;
}

@InputType()
export class CreateAuthorizationInput {
  @Field(() => ID) @IsString() userId: string;
  @Field() @IsString() machineCode: string;
}

@ArgsType()
export class BulkAddAuthorizationsArgs {
  @Field() @IsString() machineCode: string;
  @Field(() => [ID], { description: 'At most 500; users already authorised are skipped.' })
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsString({ each: true })
  userIds: string[];
}

@ArgsType()
export class MachineUsesArgs extends PageArgs {
  @Field({ nullable: true }) @IsOptional() @IsString() machineCode?: string;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsString() userId?: string;
  @Field({ nullable: true, description: 'Uses still open or ended after this.' }) @IsOptional() @IsDate() from?: Date;
  @Field({ nullable: true, description: 'Uses started before this.' }) @IsOptional() @IsDate() to?: Date;
  @Field({ nullable: true, description: 'Only open uses.' }) @IsOptional() @IsBoolean() openOnly?: boolean;
}

@InputType()
export class CreateMachineUseInput {
  @Field(() => ID) @IsString() userId: string;
  @Field() @IsString() machineCode: string;
  @Field({ description: 'Not in the future.' }) @IsDate() startedAt: Date;
  @Field({ nullable: true, description: 'After startedAt; omitted: the use is open (one open use per machine).' })
  @IsOptional()
  @IsDate()
  endedAt?: Date;
  @Field({ nullable: true, description: "Add the use's seconds to the machine's hours." })
  @IsOptional()
  @IsBoolean()
  correctMachineHours?: boolean;
}

@InputType()
export class UpdateMachineUseInput {
  @Field(() => ID, { nullable: true }) @IsOptional() @IsString() userId?: string;
  @Field({ nullable: true }) @IsOptional() @IsDate() startedAt?: Date;
  @Field({ nullable: true, description: 'Setting it closes an open use; a closed use cannot be reopened.' })
  @IsOptional()
  @IsDate()
  endedAt?: Date;
  @Field({ nullable: true, description: "Change the machine's hours by what the use now counts more or less." })
  @IsOptional()
  @IsBoolean()
  correctMachineHours?: boolean;
}

@InputType()
export class CreateMaintenancePlanInput {
  @Field() @IsString() machineCode: string;
  @Field() @IsString() @Length(1, 500) description: string;
  @Field({ nullable: true, description: `At most ${LCD_MESSAGE_MAX} characters (the board's reply stays small).` })
  @IsOptional()
  @IsString()
  @MaxLength(LCD_MESSAGE_MAX)
  lcdMessage?: string;
  @Field(() => Float, { description: 'Hours of use between interventions, greater than 0.' })
  @IsNumber(FINITE)
  @IsPositive()
  hoursBetween: number;
  @Field(() => String, { nullable: true, description: 'An http or https URL.' })
  @IsOptional()
  @IsUrl(HTTP_URL, { message: 'instructionsUrl must be an http or https URL' })
  @MaxLength(2000)
  instructionsUrl?: string | null;
}

@InputType()
export class UpdateMaintenancePlanInput extends PartialType(
  OmitType(CreateMaintenancePlanInput, ['machineCode']),
  PARTIAL,
) {}

@ArgsType()
export class InterventionsArgs extends PageArgs {
  @Field({ nullable: true }) @IsOptional() @IsString() machineCode?: string;
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() planId?: number;
  @Field(() => ID, { nullable: true }) @IsOptional() @IsString() userId?: string;
}

@InputType()
export class CreateInterventionInput {
  @Field(() => Int) @IsInt() planId: number;
  @Field(() => ID, { nullable: true, description: 'Default: you.' }) @IsOptional() @IsString() userId?: string;
  @Field({ nullable: true, description: 'Default: now.' }) @IsOptional() @IsDate() performedAt?: Date;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(2000) notes?: string;
}

@InputType()
export class UpdateInterventionInput {
  @Field(() => ID, { nullable: true }) @IsOptional() @IsString() userId?: string;
  @Field({ nullable: true }) @IsOptional() @IsDate() performedAt?: Date;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(2000) notes?: string;
}

@ArgsType()
export class UnknownCardsArgs extends PageArgs {
  @Field({ nullable: true }) @IsOptional() @IsString() machineCode?: string;
}

@InputType({ description: 'The user to create with the card.' })
export class ConvertUnknownCardInput {
  @Field() @IsEmail() @MaxLength(320) email: string;
  @Field() @IsString() @Length(1, 200) displayName: string;
  @Field({ nullable: true, description: 'Omit for card-only users.' })
  @IsOptional()
  @IsString()
  @Length(8, 200)
  password?: string;
  @Field(() => [String], { defaultValue: ['member'] }) @IsString({ each: true }) roles: string[] = ['member'];
}

@ArgsType()
export class ConvertUnknownCardArgs {
  @Field({ description: '8 hexadecimal characters.' })
  @Matches(CARD_UID, { message: 'cardUid must be 8 hexadecimal characters' })
  cardUid: string;
  @Field(() => ConvertUnknownCardInput)
  @ValidateNested()
  @Type(() => ConvertUnknownCardInput)
  input: ConvertUnknownCardInput;
}

@ArgsType()
export class MachineAccessStatusArgs {
  @Field(() => [String], {
    nullable: true,
    description: 'These machines; omitted: every machine with a numeric code (those RFID boards can address).',
  })
  @IsOptional()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  machineCodes?: string[];
}

@ArgsType()
export class UsageReportArgs {
  @Field() @IsDate() from: Date;
  @Field() @IsDate() to: Date;
  @Field(() => UsageGroupingEnum, { defaultValue: 'MACHINE' })
  @IsIn(Object.values(UsageGroupingEnum))
  groupBy: 'MACHINE' | 'USER';
}

@ArgsType()
export class WeeklyAccessSummaryArgs {
  @Field({ nullable: true, description: 'A day of the week wanted; default: the last full Monday-to-Monday week.' })
  @IsOptional()
  @IsDate()
  weekStart?: Date;
}
