import { ArgsType, Field, Float, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsIn, IsNumber, IsOptional, IsPositive, IsString, Length, MaxLength, ValidateNested } from 'class-validator';
import { AXIS_NAMES, type AxisName } from '../../machines/domain/machine.js';
import { PageArgs } from '../../shared/graphql/pagination.js';
import type { UnregisteredSourceKind } from '../application/ingestion.ports.js';
import { SampleAxisEnum } from './live-telemetry.models.js';
import { UnregisteredSourceKindEnum } from './unregistered-sources.models.js';

const FINITE = { allowNaN: false, allowInfinity: false };
/** Placeholders until someone enters the machine's real limits through updateAxis. */
const DEFAULT_AXIS_LIMIT = 1000;

@ArgsType()
export class UnregisteredSourcesArgs extends PageArgs {
  @Field(() => UnregisteredSourceKindEnum, { nullable: true, description: 'Every kind when omitted.' })
  @IsOptional()
  @IsIn(Object.values(UnregisteredSourceKindEnum))
  kind?: UnregisteredSourceKind | null;
}

@InputType()
export class RegisterAxisInput {
  @Field(() => SampleAxisEnum) @IsIn(AXIS_NAMES) name: AxisName;
  @Field(() => Float, { defaultValue: DEFAULT_AXIS_LIMIT, description: 'Greater than 0.' })
  @IsNumber(FINITE)
  @IsPositive()
  maxVelocity: number;
  @Field(() => Float, { defaultValue: DEFAULT_AXIS_LIMIT, description: 'Greater than 0.' })
  @IsNumber(FINITE)
  @IsPositive()
  maxAcceleration: number;
}

@InputType({ description: 'The new machine; its code is the one in the topic.' })
export class RegisterUnregisteredSourceInput {
  @Field({ nullable: true, description: 'The code when omitted.' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(200) model?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(200) maker?: string;
  @Field(() => [RegisterAxisInput], {
    nullable: true,
    description: 'None when omitted (axis samples are then refused).',
  })
  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => RegisterAxisInput)
  axes?: RegisterAxisInput[];
}
