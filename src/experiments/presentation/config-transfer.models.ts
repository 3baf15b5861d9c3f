import { ArgsType, Field, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { MAX_IMPORTED_FILE_CHARS } from '../../shared/graphql/graphql-http-body.js';
import { JobModel, toJobModel } from '../../shared/jobs/jobs.models.js';
import {
  IMPORT_CHANGES,
  IMPORT_ITEM_KINDS,
  INLINE_IMPORT_MAX_LINES,
  type ImportChange,
  type ImportItemKind,
  type ImportOutcome,
} from '../application/config-transfer.service.js';
import { CONFIG_FORMATS, type ConfigFormat } from '../domain/config-transfer.js';

const enumOf = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const ConfigFormatEnum = enumOf<ConfigFormat>(CONFIG_FORMATS);
registerEnumType(ConfigFormatEnum, {
  name: 'ExperimentsConfigFormat',
  description:
    "RTPDB: the original Realtimeplot's .rtpdb text (ours escapes values losslessly; the original's files are read too); " +
    'JSON: the same configuration as a JSON document.',
});

export const ImportItemKindEnum = enumOf<ImportItemKind>(IMPORT_ITEM_KINDS);
registerEnumType(ImportItemKindEnum, { name: 'ExperimentsConfigItemKind' });

export const ImportChangeEnum = enumOf<ImportChange>(IMPORT_CHANGES);
registerEnumType(ImportChangeEnum, {
  name: 'ExperimentsConfigChange',
  description: 'NOT_IN_FILE: in the database, not in the file, and kept (an import never deletes).',
});

@InputType('ExperimentsConfigInclude')
export class ExportIncludeInput {
  @Field({ defaultValue: false, description: 'Who is assigned to each experiment (by username, their e-mail).' })
  @IsBoolean()
  assignments: boolean = false;

  @Field({ defaultValue: false, description: 'Threshold subscriptions (by username).' })
  @IsBoolean()
  subscriptions: boolean = false;
}

@ArgsType()
export class ExportExperimentsConfigArgs {
  @Field(() => ConfigFormatEnum, { defaultValue: 'RTPDB' })
  @IsIn(CONFIG_FORMATS)
  format: ConfigFormat = 'RTPDB';

  @Field(() => ExportIncludeInput, { nullable: true, description: 'Experiments and PVs only when omitted.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => ExportIncludeInput)
  include?: ExportIncludeInput | null;
}

@ArgsType()
export class ImportExperimentsConfigArgs {
  @Field({
    description:
      `The file's text: at most ${MAX_IMPORTED_FILE_CHARS / 1024 / 1024} MiB, sent over HTTP with an access token (an anonymous request is limited to 100 KiB). More than ${INLINE_IMPORT_MAX_LINES} ` +
      'lines run as a job.',
  })
  @IsString()
  @MaxLength(MAX_IMPORTED_FILE_CHARS)
  content: string;

  @Field(() => ConfigFormatEnum, { defaultValue: 'RTPDB' })
  @IsIn(CONFIG_FORMATS)
  format: ConfigFormat = 'RTPDB';

  @Field({ defaultValue: false, description: 'Check and report what would change; store nothing.' })
  @IsBoolean()
  dryRun: boolean = false;
}

@ObjectType('ExperimentsConfigCounts')
export class ImportCountsModel {
  @Field(() => Int) created: number;
  @Field(() => Int) updated: number;
  @Field(() => Int) unchanged: number;
  @Field(() => Int, { description: 'In the database, not in the file: kept.' }) notInFile: number;
}

@ObjectType('ExperimentsConfigItem')
export class ImportItemModel {
  @Field(() => ImportItemKindEnum) kind: ImportItemKind;
  @Field({
    description: 'Experiment or PV name; `experiment/username` or `pv/username` for assignments and subscriptions.',
  })
  key: string;
  @Field(() => Int, { nullable: true, description: 'Its line in the file (null: not in the file, or JSON).' })
  line: number | null;
  @Field(() => ImportChangeEnum) change: ImportChange;
  @Field(() => [String], { description: 'The fields an update changes.' }) fields: string[];
}

@ObjectType('ExperimentsConfigImportReport', { description: 'What an import did, or (dryRun) would do.' })
export class ImportReportModel {
  @Field() dryRun: boolean;
  @Field(() => ConfigFormatEnum) format: ConfigFormat;
  @Field(() => ImportCountsModel) experiments: ImportCountsModel;
  @Field(() => ImportCountsModel) pvs: ImportCountsModel;
  @Field(() => ImportCountsModel) assignments: ImportCountsModel;
  @Field(() => ImportCountsModel) subscriptions: ImportCountsModel;
  @Field(() => [ImportItemModel]) items: ImportItemModel[];
}

@ObjectType('ExperimentsConfigImport', {
  description:
    `The report of an import done at once, or (files of more than ${INLINE_IMPORT_MAX_LINES} lines) the job doing it: ` +
    'follow it with jobProgress; its result is the report as JSON.',
})
export class ImportOutcomeModel {
  @Field(() => ImportReportModel, { nullable: true }) report: ImportReportModel | null;
  @Field(() => JobModel, { nullable: true }) job: JobModel | null;
}

export function toImportOutcomeModel(outcome: ImportOutcome): ImportOutcomeModel {
  return 'job' in outcome ? { report: null, job: toJobModel(outcome.job) } : { report: outcome.report, job: null };
}
