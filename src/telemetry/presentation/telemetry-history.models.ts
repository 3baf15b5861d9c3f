import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import type { AxisName } from '../../machines/domain/machine.js';
import { SampleAxisEnum } from './live-telemetry.models.js';
import { NumberListScalar } from './number-list.scalar.js';

const TS = 'Sample times (raw) or bucket starts (bucketed), ascending; every other list is aligned with it.';
const COUNT = 'Samples in each bucket (1 for raw samples).';
const TRUNCATED =
  'Raw samples only: the window holds more than `limit` samples of this series and these are the first ones (continue from the last `ts` + 1 ms, or ask for buckets).';

@ObjectType('SeriesStats', {
  description:
    "One quantity of a series, aligned with the series' `ts`: per bucket its minimum, maximum and average. A raw sample is a bucket of one: all three are its value. Null where a bucket holds no value of an optional quantity.",
})
export class SeriesStatsModel {
  @Field(() => [Float], { nullable: 'items' }) min: (number | null)[];
  @Field(() => [Float], { nullable: 'items' }) max: (number | null)[];
  @Field(() => [Float], { nullable: 'items' }) avg: (number | null)[];
}

@ObjectType('ElectricalSeries', { description: "One machine's electrical samples, in columns." })
export class ElectricalSeriesModel {
  @Field() machineCode: string;
  @Field(() => [Date], { description: TS }) ts: Date[];
  @Field(() => [Int], { description: COUNT }) count: number[];
  @Field(() => SeriesStatsModel, { description: 'Amperes.' }) current: SeriesStatsModel;
  @Field(() => SeriesStatsModel, { description: 'Volts.' }) voltage: SeriesStatsModel;
  @Field({ description: TRUNCATED }) truncated: boolean;
}

@ObjectType('AxisSeries', { description: 'One axis of one machine, in columns.' })
export class AxisSeriesModel {
  @Field() machineCode: string;
  @Field(() => SampleAxisEnum) axis: AxisName;
  @Field(() => [Date], { description: TS }) ts: Date[];
  @Field(() => [Int], { description: COUNT }) count: number[];
  @Field(() => SeriesStatsModel) actual: SeriesStatsModel;
  @Field(() => SeriesStatsModel) target: SeriesStatsModel;
  @Field(() => SeriesStatsModel, { description: 'target − actual.' }) distanceToGo: SeriesStatsModel;
  @Field(() => SeriesStatsModel) velocity: SeriesStatsModel;
  @Field(() => SeriesStatsModel) acceleration: SeriesStatsModel;
  @Field(() => [Float], { description: 'Share of the samples with the axis homed, 0 to 1 (raw: 0 or 1).' })
  homedFraction: number[];
  @Field({ description: TRUNCATED }) truncated: boolean;
}

@ObjectType('ToolSeries', { description: "One machine's tool data, in columns." })
export class ToolSeriesModel {
  @Field() machineCode: string;
  @Field(() => [Date], { description: TS }) ts: Date[];
  @Field(() => [Int], { description: COUNT }) count: number[];
  @Field(() => [Int], {
    nullable: 'items',
    description: 'The last tool known to be in use in each bucket (raw: at each sample); null when none was sent.',
  })
  toolInUse: (number | null)[];
  @Field(() => SeriesStatsModel) toolOffset: SeriesStatsModel;
  @Field(() => SeriesStatsModel) feedRate: SeriesStatsModel;
  @Field({ description: TRUNCATED }) truncated: boolean;
}

const WINDOW = {
  from: 'Start of the window (inclusive).',
  to: 'End of the window (exclusive).',
  bucketSeconds:
    'Width of the buckets, aligned to the Unix epoch (the first and last may be cut by the window); null for raw samples.',
};

@ObjectType('ElectricalHistory')
export class ElectricalHistoryModel {
  @Field({ description: WINDOW.from }) from: Date;
  @Field({ description: WINDOW.to }) to: Date;
  @Field(() => Float, { nullable: true, description: WINDOW.bucketSeconds }) bucketSeconds: number | null;
  @Field(() => [ElectricalSeriesModel], { description: 'One series per machine, in the order asked.' })
  series: ElectricalSeriesModel[];
}

@ObjectType('AxisHistory')
export class AxisHistoryModel {
  @Field({ description: WINDOW.from }) from: Date;
  @Field({ description: WINDOW.to }) to: Date;
  @Field(() => Float, { nullable: true, description: WINDOW.bucketSeconds }) bucketSeconds: number | null;
  @Field(() => [AxisSeriesModel], {
    description: 'One series per machine and axis: machines in the order asked, then axes in the order asked.',
  })
  series: AxisSeriesModel[];
}

@ObjectType('ToolHistory')
export class ToolHistoryModel {
  @Field({ description: WINDOW.from }) from: Date;
  @Field({ description: WINDOW.to }) to: Date;
  @Field(() => Float, { nullable: true, description: WINDOW.bucketSeconds }) bucketSeconds: number | null;
  @Field(() => [ToolSeriesModel], { description: 'One series per machine, in the order asked.' })
  series: ToolSeriesModel[];
}

const T =
  'Sample times (raw) or bucket starts (bucketed) in milliseconds since the Unix epoch, ascending; every other list is aligned with it.';
const TRUNCATED_T = TRUNCATED.replace('`ts`', '`t`');

@ObjectType('CompactSeriesStats', {
  description:
    'SeriesStats with each list as one NumberList value. Lists not selected are not computed: selecting `avg` only leaves out min and max.',
})
export class CompactSeriesStatsModel {
  @Field(() => NumberListScalar) min: (number | null)[];
  @Field(() => NumberListScalar) max: (number | null)[];
  @Field(() => NumberListScalar) avg: (number | null)[];
}

@ObjectType('CompactElectricalSeries', { description: 'ElectricalSeries with each column as one NumberList value.' })
export class CompactElectricalSeriesModel {
  @Field() machineCode: string;
  @Field(() => NumberListScalar, { description: T }) t: number[];
  @Field(() => NumberListScalar, { description: COUNT }) count: number[];
  @Field(() => CompactSeriesStatsModel, { description: 'Amperes.' }) current: CompactSeriesStatsModel;
  @Field(() => CompactSeriesStatsModel, { description: 'Volts.' }) voltage: CompactSeriesStatsModel;
  @Field({ description: TRUNCATED_T }) truncated: boolean;
}

@ObjectType('CompactAxisSeries', { description: 'AxisSeries with each column as one NumberList value.' })
export class CompactAxisSeriesModel {
  @Field() machineCode: string;
  @Field(() => SampleAxisEnum) axis: AxisName;
  @Field(() => NumberListScalar, { description: T }) t: number[];
  @Field(() => NumberListScalar, { description: COUNT }) count: number[];
  @Field(() => CompactSeriesStatsModel) actual: CompactSeriesStatsModel;
  @Field(() => CompactSeriesStatsModel) target: CompactSeriesStatsModel;
  @Field(() => CompactSeriesStatsModel, { description: 'target − actual.' }) distanceToGo: CompactSeriesStatsModel;
  @Field(() => CompactSeriesStatsModel) velocity: CompactSeriesStatsModel;
  @Field(() => CompactSeriesStatsModel) acceleration: CompactSeriesStatsModel;
  @Field(() => NumberListScalar, { description: 'Share of the samples with the axis homed, 0 to 1 (raw: 0 or 1).' })
  homedFraction: number[];
  @Field({ description: TRUNCATED_T }) truncated: boolean;
}

@ObjectType('CompactElectricalHistory')
export class CompactElectricalHistoryModel {
  @Field({ description: WINDOW.from }) from: Date;
  @Field({ description: WINDOW.to }) to: Date;
  @Field(() => Float, { nullable: true, description: WINDOW.bucketSeconds }) bucketSeconds: number | null;
  @Field(() => [CompactElectricalSeriesModel], { description: 'One series per machine, in the order asked.' })
  series: CompactElectricalSeriesModel[];
}

@ObjectType('CompactAxisHistory')
export class CompactAxisHistoryModel {
  @Field({ description: WINDOW.from }) from: Date;
  @Field({ description: WINDOW.to }) to: Date;
  @Field(() => Float, { nullable: true, description: WINDOW.bucketSeconds }) bucketSeconds: number | null;
  @Field(() => [CompactAxisSeriesModel], {
    description: 'One series per machine and axis: machines in the order asked, then axes in the order asked.',
  })
  series: CompactAxisSeriesModel[];
}
