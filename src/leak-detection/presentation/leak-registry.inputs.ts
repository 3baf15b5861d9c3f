import { ArgsType, Field, Float, InputType, Int, OmitType, PartialType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsNumber, IsOptional, IsString, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { PageArgs } from '../../shared/graphql/pagination.js';

/**
 * Registry inputs. Types and ranges are checked here (the edge); the rules that span fields
 * (a roof needs a volume, critical above warning, unique names) in the service, which names
 * every offending field.
 */
const PARTIAL = { omitDefaultValues: true, skipNullProperties: false };
const FINITE = { allowNaN: false, allowInfinity: false };

@InputType()
export class CreateLeakFieldInput {
  @Field() @IsString() @MaxLength(100) name: string;
  @Field({ nullable: true, description: "What every sensor tag starts with; '' when omitted." })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  tagPrefix?: string;
  @Field({ nullable: true }) @IsOptional() @IsString() @MaxLength(2000) description?: string;
}

@InputType()
export class UpdateLeakFieldInput extends PartialType(CreateLeakFieldInput, PARTIAL) {}

@InputType('TemplateSidesInput')
export class SidesInput {
  @Field(() => Float) @IsNumber(FINITE) @Min(0) fore: number;
  @Field(() => Float) @IsNumber(FINITE) @Min(0) aft: number;
  @Field(() => Float) @IsNumber(FINITE) @Min(0) port: number;
  @Field(() => Float) @IsNumber(FINITE) @Min(0) starboard: number;
}

@InputType()
export class CreateLeakTemplateInput {
  @Field() @IsString() @MaxLength(200) name: string;
  @Field(() => Float, {
    description:
      "Degrees clockwise from north of the template's y axis (at 0 its y axis points north and its x axis east), [0, 360).",
  })
  @IsNumber(FINITE)
  angleFromNorth: number;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) height?: number | null;
  @Field(() => Float, { nullable: true, description: 'Omitted or null: an open template.' })
  @IsOptional()
  @IsNumber(FINITE)
  roofHeight?: number | null;
  @Field(() => SidesInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => SidesInput)
  porosity?: SidesInput | null;
  @Field(() => SidesInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => SidesInput)
  wallArea?: SidesInput | null;
  @Field(() => SidesInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => SidesInput)
  inclination?: SidesInput | null;
  @Field(() => Float, { nullable: true, description: 'm³; with a roof, this or length and width is required.' })
  @IsOptional()
  @IsNumber(FINITE)
  internalVolume?: number | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) length?: number | null;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) width?: number | null;
}

@InputType()
export class UpdateLeakTemplateInput extends PartialType(CreateLeakTemplateInput, PARTIAL) {}

@InputType()
export class CreateLeakSensorInput {
  @Field({ description: 'The tag; unique; letters, digits, "_", "-" or "." (it appears in MQTT topics).' })
  @IsString()
  @MaxLength(100)
  name: string;
  @Field(() => Float) @IsNumber(FINITE) x: number;
  @Field(() => Float) @IsNumber(FINITE) y: number;
  @Field(() => Float) @IsNumber(FINITE) z: number;
  @Field({ nullable: true }) @IsOptional() @IsBoolean() pinned?: boolean;
  @Field(() => Int, { nullable: true, description: '144 when omitted.' })
  @IsOptional()
  @IsInt()
  @Min(4)
  @Max(10_000)
  window?: number;
  @Field(() => Float, { nullable: true, description: '100 when omitted.' })
  @IsOptional()
  @IsNumber(FINITE)
  warningPercent?: number;
  @Field(() => Float, { nullable: true, description: '200 when omitted; above warningPercent.' })
  @IsOptional()
  @IsNumber(FINITE)
  criticalPercent?: number;
}

@InputType()
export class UpdateLeakSensorInput extends PartialType(CreateLeakSensorInput, PARTIAL) {}

@InputType({ description: 'The sensor an unregistered topic names; its name is the one in the topic.' })
export class RegisterUnregisteredSensorInput extends OmitType(CreateLeakSensorInput, ['name'] as const) {}

@ArgsType()
export class LeakTemplatesArgs extends PageArgs {
  @Field(() => Int, { nullable: true, description: "Only this field's templates." })
  @IsOptional()
  @IsInt()
  fieldId?: number | null;
}

@ArgsType()
export class LeakSensorsArgs extends PageArgs {
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() templateId?: number | null;
  @Field(() => Int, { nullable: true }) @IsOptional() @IsInt() fieldId?: number | null;
  @Field(() => Boolean, { nullable: true, description: 'Every sensor when omitted (pinned or not).' })
  @IsOptional()
  @IsBoolean()
  pinned?: boolean | null;
  @Field(() => String, { nullable: true, description: 'Part of the name, case-insensitive.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  text?: string | null;
}
