import { ArgsType, Field, Float, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsIn, IsInt, IsOptional, IsString, Max, Min, MaxLength } from 'class-validator';
import { HISTORY_LIMITS } from '../../shared/ingestion/history-window.js';
import type { ArchiveSource } from '../application/pv-archive.service.js';

export const ArchiveSourceEnum = { ARCHIVER: 'ARCHIVER', MERGED: 'MERGED' } as const satisfies Record<
  ArchiveSource,
  ArchiveSource
>;
registerEnumType(ArchiveSourceEnum, {
  name: 'PvArchiveSource',
  description:
    'ARCHIVER: the archiver’s samples only; MERGED: with the values stored here (at the same millisecond the local one is kept).',
});

export const SampleOriginEnum = { LOCAL: 'LOCAL', ARCHIVER: 'ARCHIVER' } as const;
registerEnumType(SampleOriginEnum, {
  name: 'PvSampleOrigin',
  description: 'Where a sample of a merged history comes from.',
});

@ObjectType('PvArchiveSample')
export class PvArchiveSampleModel {
  @Field({ description: 'UTC.' }) ts: Date;
  @Field({ description: 'The same instant as wall-clock time of ARCHIVER_TIMEZONE with its offset.' }) time: string;
  @Field(() => Float, { nullable: true }) value: number | null;
  @Field(() => String, { nullable: true }) text: string | null;
  @Field(() => SampleOriginEnum) origin: keyof typeof SampleOriginEnum;
}

@ObjectType('PvArchiveHistory', {
  description: "A PV's history from the EPICS Archiver Appliance (optionally merged).",
})
export class PvArchiveHistoryModel {
  @Field() pvName: string;
  @Field({ description: 'The IANA zone of `from`, `to` and each sample’s `time` (ARCHIVER_TIMEZONE).' }) zone: string;
  @Field({ description: 'The window as understood, with the zone’s offset.' }) from: string;
  @Field() to: string;
  @Field(() => [PvArchiveSampleModel], { description: 'In time order, at most `limit`.' })
  samples: PvArchiveSampleModel[];
  @Field(() => Int, { description: 'Archived samples that are neither numbers nor texts (waveforms), left out.' })
  skipped: number;
  @Field({ description: 'More samples than `limit` lie in the window.' }) truncated: boolean;
}

@ArgsType()
export class PvArchiveHistoryArgs {
  @Field() @IsString() @MaxLength(100) pvName: string;
  @Field({
    description:
      'ISO-8601 with an offset (2022-01-15T06:37:34+01:00, …Z), or without one (2022-01-15 06:37:34): then wall-clock time of ARCHIVER_TIMEZONE.',
  })
  @IsString()
  @MaxLength(40)
  from: string;
  @Field(() => String, { nullable: true, description: 'As from; now when omitted. The window is at most 31 days.' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  to?: string | null;
  @Field(() => ArchiveSourceEnum, { defaultValue: 'MERGED' })
  @IsIn(Object.values(ArchiveSourceEnum))
  source: ArchiveSource = 'MERGED';
  @Field(() => Int, {
    nullable: true,
    description: `At most this many samples (default ${HISTORY_LIMITS.defaultRawLimit}).`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(HISTORY_LIMITS.maxRawLimit)
  limit?: number | null;
}
