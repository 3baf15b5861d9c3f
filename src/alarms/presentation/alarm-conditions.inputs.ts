import { Field, Float, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { ALARM_SEVERITIES, type AlarmSeverity } from '../domain/alarm.js';
import { MESSAGE_TEMPLATE_MAX } from '../domain/alarm-conditions.js';
import { AlarmSeverityEnum } from './alarms.models.js';

@InputType()
export class AlarmConditionParameterInput {
  @Field({ description: 'A parameter the type has (see AlarmCondition.parameters).' })
  @IsString()
  @Matches(/^[a-zA-Z]{1,64}$/)
  name: string;
  @Field(() => Float) @IsNumber({ allowNaN: false, allowInfinity: false }) value: number;
}

/** Types and lengths here (the edge); which parameters a type has and their ranges in the domain, naming the field. */
@InputType()
export class UpdateAlarmConditionInput {
  @Field(() => Boolean, { nullable: true, description: 'Off: the source raises nothing (open alarms still clear).' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean | null;
  @Field(() => AlarmSeverityEnum, { nullable: true })
  @IsOptional()
  @IsIn(ALARM_SEVERITIES)
  severity?: AlarmSeverity | null;
  @Field(() => String, {
    nullable: true,
    description: "The alarm's message; placeholders such as {source} and {value} (see placeholders) are filled in.",
  })
  @IsOptional()
  @IsString()
  @MaxLength(MESSAGE_TEMPLATE_MAX)
  messageTemplate?: string | null;
  @Field(() => [AlarmConditionParameterInput], { nullable: true, description: 'Only those named change.' })
  @IsOptional()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => AlarmConditionParameterInput)
  parameters?: AlarmConditionParameterInput[] | null;
}
