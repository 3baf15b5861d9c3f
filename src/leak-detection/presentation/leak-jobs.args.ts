import { ArgsType, Field, Int } from '@nestjs/graphql';
import { IsBoolean, IsDate, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { MAX_IMPORTED_FILE_CHARS } from '../../shared/graphql/graphql-http-body.js';
import { PROFILE_MAX_POINTS } from '../application/ppmv-profile.service.js';
import { READINGS_CSV_HEADER } from '../domain/readings-csv.js';
import { SENSOR_NAME } from '../domain/registry.js';

@ArgsType()
export class ImportSensorReadingsArgs {
  @Field({ description: 'The sensor (its name, the tag) whose readings these are.' })
  @IsString()
  @Matches(SENSOR_NAME, { message: 'sensorName must be 1 to 100 characters: letters, digits, "_", "-" or "."' })
  sensorName: string;

  @Field({
    description:
      `The CSV text: a header ${READINGS_CSV_HEADER} (the original system's files), then one reading a line, ` +
      'e.g. "0,2021-04-05 14:00:00,91.56" (times without a zone are UTC). At most ' +
      `${MAX_IMPORTED_FILE_CHARS / 1024 / 1024} MiB (about 250,000 readings), sent over HTTP with an access token ` +
      '(an anonymous request is limited to 100 KiB). A longer file can be imported in parts: ' +
      'readings already stored are kept and counted as duplicates, so parts may overlap.',
  })
  @IsString()
  @MaxLength(MAX_IMPORTED_FILE_CHARS)
  csv: string;
}

@ArgsType()
export class PpmvMatrixProfileArgs {
  @Field()
  @IsString()
  @Matches(SENSOR_NAME, { message: 'sensorName must be 1 to 100 characters: letters, digits, "_", "-" or "."' })
  sensorName: string;

  @Field(() => Int, {
    description: "Subsequence length m (the live scoring uses the sensor's window, 144 by default).",
  })
  @IsInt()
  @Min(3)
  @Max(PROFILE_MAX_POINTS)
  window: number;

  @Field({
    defaultValue: false,
    description: "z-normalised (stumpy stump) or raw Euclidean (aamp, the live scoring's).",
  })
  @IsBoolean()
  normalized: boolean = false;

  @Field(() => Date, {
    nullable: true,
    description: 'Readings from this time on (inclusive); from the first when omitted.',
  })
  @IsOptional()
  @IsDate()
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Readings up to this time (inclusive); to the last when omitted.' })
  @IsOptional()
  @IsDate()
  to?: Date | null;

  @Field(() => Int, { nullable: true, description: 'Windows closer than this are not neighbours; default ⌈window/4⌉.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(PROFILE_MAX_POINTS)
  exclusionZone?: number | null;
}
