import { ArgsType, Field, ID, InputType, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { PageArgs } from '../../shared/graphql/pagination.js';
import {
  ALARM_SEVERITIES,
  ALARM_SOURCE_KINDS,
  ALARM_TRANSITION_KINDS,
  type AlarmSeverity,
  type AlarmSourceKind,
  type AlarmTransitionKind,
} from '../domain/alarm.js';
import { NOTIFICATION_CHANNEL_KINDS, type NotificationChannelKind } from '../domain/alarm-notification-rules.js';
import { NOTIFICATION_OUTCOMES, type NotificationOutcome } from '../application/alarm-notifications.ports.js';
import { NotificationChannelKindEnum, NotificationOutcomeEnum } from './alarm-notifications.models.js';
import { AlarmSeverityEnum, AlarmSourceKindEnum, AlarmTransitionKindEnum } from './alarms.models.js';

/** Types and lengths here (the edge); names, addresses, URLs and consistency in the service, naming the field. */
@InputType()
export class CreateNotificationChannelInput {
  @Field() @IsString() @MaxLength(100) name: string;
  @Field(() => NotificationChannelKindEnum) @IsIn(NOTIFICATION_CHANNEL_KINDS) kind: NotificationChannelKind;
  @Field(() => [String], { nullable: true, description: 'EMAIL: 1 to 50 addresses.' })
  @IsOptional()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(254, { each: true })
  recipients?: string[] | null;
  @Field(() => String, { nullable: true, description: 'WEBHOOK: an http(s) URL, without credentials.' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  url?: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'WEBHOOK: the HMAC-SHA256 signing secret, 16 to 256 printable characters. Never shown again.',
  })
  @IsOptional()
  @IsString()
  @MinLength(16)
  @MaxLength(256)
  secret?: string | null;
}

@InputType({ description: 'Fields left out stay as they are; the kind cannot change.' })
export class UpdateNotificationChannelInput {
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(100) name?: string | null;
  @Field(() => [String], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(254, { each: true })
  recipients?: string[] | null;
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(2000) url?: string | null;
  @Field(() => String, { nullable: true, description: 'WEBHOOK: a new signing secret.' })
  @IsOptional()
  @IsString()
  @MinLength(16)
  @MaxLength(256)
  secret?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'WEBHOOK: remove the secret (calls go unsigned).' })
  @IsOptional()
  @IsBoolean()
  removeSecret?: boolean | null;
}

@InputType()
export class NotificationRateLimitInput {
  @Field(() => Int) @IsInt() @Min(1) @Max(100_000) max: number;
  @Field(() => Int) @IsInt() @Min(1) @Max(7 * 86_400) windowSeconds: number;
}

const TYPE = /^[A-Z][A-Z0-9_]{0,63}$/;

/** The fields of a rule; on create, name, transitions and channelIds are required (checked in the service). */
@InputType()
export class NotificationRuleInput {
  @Field(() => String, { nullable: true }) @IsOptional() @IsString() @MaxLength(100) name?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean | null;
  @Field(() => [AlarmSourceKindEnum], { nullable: true, description: 'Empty: any.' })
  @IsOptional()
  @IsIn(ALARM_SOURCE_KINDS, { each: true })
  sourceKinds?: AlarmSourceKind[] | null;
  @Field(() => [String], { nullable: true, description: 'Alarm types (OUT_OF_STANDARD, LEAK_CONFIRMED…); empty: any.' })
  @IsOptional()
  @ArrayMaxSize(100)
  @Matches(TYPE, { each: true })
  types?: string[] | null;
  @Field(() => AlarmSeverityEnum, { nullable: true, description: 'Default INDETERMINATE (every alarm).' })
  @IsOptional()
  @IsIn(ALARM_SEVERITIES)
  minSeverity?: AlarmSeverity | null;
  @Field(() => [String], { nullable: true, description: 'Scope: source keys (machine, sensor, PV ids…); empty: any.' })
  @IsOptional()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(100, { each: true })
  sourceKeys?: string[] | null;
  @Field(() => String, { nullable: true, description: "Scope: this experiment's PVs only; null clears it." })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  experiment?: string | null;
  @Field(() => [AlarmTransitionKindEnum], { nullable: true, description: 'At least one.' })
  @IsOptional()
  @ArrayMaxSize(ALARM_TRANSITION_KINDS.length)
  @IsIn(ALARM_TRANSITION_KINDS, { each: true })
  transitions?: AlarmTransitionKind[] | null;
  @Field(() => [Int], { nullable: true, description: 'At least one channel.' })
  @IsOptional()
  @ArrayMaxSize(20)
  @IsInt({ each: true })
  @Min(1, { each: true })
  channelIds?: number[] | null;
  @Field(() => NotificationRateLimitInput, { nullable: true, description: 'Null: no limit.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => NotificationRateLimitInput)
  rateLimit?: NotificationRateLimitInput | null;
  @Field(() => Boolean, { nullable: true }) @IsOptional() @IsBoolean() weeklyDigest?: boolean | null;
}

@ArgsType()
export class AlarmNotificationsArgs extends PageArgs {
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() @Min(1) ruleId?: number | null;
  @Field(() => ID, { nullable: true }) @IsOptional() @Matches(/^\d{1,15}$/) alarmId?: string | null;
  @Field(() => NotificationOutcomeEnum, { nullable: true })
  @IsOptional()
  @IsIn(NOTIFICATION_OUTCOMES)
  outcome?: NotificationOutcome | null;
}
