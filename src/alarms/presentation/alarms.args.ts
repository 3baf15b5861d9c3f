import { ArgsType, Field, ID, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsDate,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PageArgs } from '../../shared/graphql/pagination.js';
import {
  ALARM_SEVERITIES,
  ALARM_SOURCE_KINDS,
  ALARM_STATES,
  type AlarmSeverity,
  type AlarmSourceKind,
  type AlarmState,
} from '../domain/alarm.js';
import { MAX_NOTE_LENGTH } from '../domain/alarm-lifecycle.js';
import { AlarmSeverityEnum, AlarmSourceKindEnum, AlarmStateEnum } from './alarms.models.js';

const ALARM_ID = /^[1-9]\d{0,14}$/;
const MAX_FILTER_VALUES = 100;

@InputType({ description: 'Every field narrows; an omitted or empty list does not.' })
export class AlarmFilterInput {
  @Field(() => [AlarmStateEnum], { nullable: true })
  @IsOptional()
  @IsIn(ALARM_STATES, { each: true })
  states?: AlarmState[] | null;

  @Field(() => [AlarmSeverityEnum], { nullable: true })
  @IsOptional()
  @IsIn(ALARM_SEVERITIES, { each: true })
  severities?: AlarmSeverity[] | null;

  @Field(() => [AlarmSourceKindEnum], { nullable: true })
  @IsOptional()
  @IsIn(ALARM_SOURCE_KINDS, { each: true })
  sourceKinds?: AlarmSourceKind[] | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(MAX_FILTER_VALUES)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  sourceKeys?: string[] | null;

  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(MAX_FILTER_VALUES)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  types?: string[] | null;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Only suppressed (shelved or out of service) alarms, or only others.',
  })
  @IsOptional()
  @IsBoolean()
  suppressed?: boolean | null;
}

@InputType({ description: "The list's filter: also a time window, alarms open at some time in [from, to)." })
export class AlarmListFilterInput extends AlarmFilterInput {
  @Field(() => Date, { nullable: true }) @IsOptional() @IsDate() from?: Date | null;
  @Field(() => Date, { nullable: true }) @IsOptional() @IsDate() to?: Date | null;
}

@ArgsType()
export class AlarmsArgs extends PageArgs {
  @Field(() => AlarmListFilterInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => AlarmListFilterInput)
  filter?: AlarmListFilterInput | null;
}

@ArgsType()
export class AlarmChangedArgs {
  @Field(() => AlarmFilterInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => AlarmFilterInput)
  filter?: AlarmFilterInput | null;
}

@ArgsType()
export class AlarmIdArgs {
  @Field(() => ID) @Matches(ALARM_ID, { message: 'id must be an alarm id' }) id: string;
}

@ArgsType()
export class AlarmHistoryArgs extends PageArgs {
  @Field(() => ID) @Matches(ALARM_ID, { message: 'alarmId must be an alarm id' }) alarmId: string;
}

@ArgsType()
export class AlarmHealthArgs {
  @Field() @IsDate() from: Date;
  @Field() @IsDate() to: Date;
}

@ArgsType()
export class AcknowledgeAlarmArgs extends AlarmIdArgs {
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(MAX_NOTE_LENGTH) note?: string | null;
}

@ArgsType()
export class AssignAlarmArgs extends AlarmIdArgs {
  @Field(() => String, { nullable: true, description: 'Null un-assigns.' })
  @IsOptional()
  @IsUUID()
  userId?: string | null;
}

@ArgsType()
export class ShelveAlarmArgs extends AlarmIdArgs {
  @Field({ description: 'In the future, at most 30 days ahead.' }) @IsDate() until: Date;
  @Field({ description: 'Why (required).' }) @IsString() @MinLength(1) @MaxLength(MAX_NOTE_LENGTH) note: string;
}

@ArgsType()
export class UnshelveAlarmArgs extends AcknowledgeAlarmArgs {}

@ArgsType()
export class SetAlarmSourceOutOfServiceArgs {
  @Field(() => AlarmSourceKindEnum) @IsIn(ALARM_SOURCE_KINDS) kind: AlarmSourceKind;
  @Field() @IsString() @MinLength(1) @MaxLength(200) key: string;
  @Field() @IsBoolean() outOfService: boolean;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(MAX_NOTE_LENGTH) note?: string | null;
}
