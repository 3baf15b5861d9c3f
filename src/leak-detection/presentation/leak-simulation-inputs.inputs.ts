import { ArgsType, Field, Float, InputType, Int, PartialType } from '@nestjs/graphql';
import { IsDate, IsInt, IsNumber, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_IMPORTED_FILE_CHARS } from '../../shared/graphql/graphql-http-body.js';
import { PageArgs } from '../../shared/graphql/pagination.js';

/** Types here (the edge); ranges and names in the service, which names every offending field. */
const PARTIAL = { omitDefaultValues: true, skipNullProperties: false };
const FINITE = { allowNaN: false, allowInfinity: false };
const DATE_TIME = { message: '$property must be an ISO-8601 date-time' };

@InputType()
export class CreateLeakCandidateInput {
  @Field({ description: 'Unique within the template, e.g. LMF1.' }) @IsString() @MaxLength(100) name: string;
  @Field(() => Float, { description: 'Metres in the template frame, like its sensors.' }) @IsNumber(FINITE) x: number;
  @Field(() => Float) @IsNumber(FINITE) y: number;
  @Field(() => Float, { description: 'Metres above the template floor.' }) @IsNumber(FINITE) z: number;
  @Field(() => Float, { description: 'kg/s, ≥ 0.' }) @IsNumber(FINITE) rate: number;
  @Field(() => Float, { description: 's, > 0.' }) @IsNumber(FINITE) duration: number;
}

@InputType()
export class UpdateLeakCandidateInput extends PartialType(CreateLeakCandidateInput, PARTIAL) {}

@ArgsType()
export class LeakCandidatesArgs extends PageArgs {
  @Field(() => Int) @IsInt() templateId: number;
}

@ArgsType()
export class ImportLeakSeaCurrentsArgs {
  @Field(() => Int) @IsInt() templateId: number;

  @Field({
    description:
      'The CSV: a header with u and v (m/s towards east and north) and optionally timestamp (ISO-8601, UTC when it has no zone, or epoch ms); the reference files have no timestamp column. Rows are numbered as a spreadsheet does (header = row 1). Every row is checked first; one bad row refuses the whole file, naming every bad row.',
  })
  @IsString()
  @MaxLength(MAX_IMPORTED_FILE_CHARS)
  csv: string;

  @Field(() => Date, { nullable: true, description: "The first row's time when the file has no timestamp column." })
  @IsOptional()
  @IsDate(DATE_TIME)
  startsAt?: Date | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Seconds between rows when the file has no timestamp column; 600 (10 minutes) when omitted.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86_400)
  intervalSeconds?: number | null;
}

@ArgsType()
export class LeakSeaCurrentsArgs extends PageArgs {
  @Field(() => Int) @IsInt() templateId: number;
  @Field(() => Date, { description: 'Start of the window (inclusive).' }) @IsDate(DATE_TIME) from: Date;
  @Field(() => Date, { description: 'End of the window (exclusive).' }) @IsDate(DATE_TIME) to: Date;
}

@InputType({ description: 'Only the parameters given change.' })
export class UpdateLeakPlumeParametersInput {
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) a?: number;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) p?: number;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) q?: number;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) kappa?: number;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) alpha?: number;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) referenceSpeed?: number;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) referenceTime?: number;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) depth?: number;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) detectionLimit?: number;
  @Field(() => Float, { nullable: true }) @IsOptional() @IsNumber(FINITE) seawaterTemperature?: number;
}

@ArgsType()
export class LeakCandidateSimulationArgs {
  @Field({ description: 'The sensor (its name, the tag) at which every candidate of its template is simulated.' })
  @IsString()
  @MaxLength(100)
  sensorName: string;

  @Field(() => Date, {
    nullable: true,
    description: 'The newest current row used is at or before this time; now when omitted.',
  })
  @IsOptional()
  @IsDate(DATE_TIME)
  at?: Date | null;
}
