import { Field, Float, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsIn, IsNumber, IsOptional, IsPositive, IsString, Length, MaxLength, ValidateNested } from 'class-validator';
import { AXIS_NAMES, type AxisName } from '../../machines/domain/machine.js';
import { DEFAULT_AXIS_LIMIT } from '../application/source-registration.service.js';
import { SampleAxisEnum } from './live-telemetry.models.js';

const FINITE = { allowNaN: false, allowInfinity: false };

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

@InputType({
  description:
    'The new machine (its code is the one in the topic), or for an axis entry the limits of the axis (in `axes`).',
})
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
