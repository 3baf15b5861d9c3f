import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import type { PpmvProfile } from '../application/ppmv-profile.service.js';

const INFINITY =
  'null where the distance is +∞ (JSON has no infinity): the window holds a non-finite value, or has no neighbour outside the exclusion zone; its index is then -1.';

@ObjectType('PpmvMatrixProfile', {
  description:
    "The batch matrix profile of a sensor's stored readings (oldest first), one entry per window of `window` readings starting at that reading.",
})
export class PpmvMatrixProfileModel {
  @Field() sensorName: string;
  @Field(() => Int) window: number;
  @Field(() => Int) exclusionZone: number;
  @Field() normalized: boolean;
  @Field(() => Int, { description: 'Readings in the series; there are points − window + 1 windows.' }) points: number;
  @Field(() => Date, { nullable: true, description: 'Time of the first reading.' }) firstAt: Date | null;
  @Field(() => Date, { nullable: true, description: 'Time of the last reading.' }) lastAt: Date | null;
  @Field(() => [Float], { nullable: 'items', description: `Distance to the nearest neighbour; ${INFINITY}` })
  profile: (number | null)[];
  @Field(() => [Int], { description: 'Index of the nearest neighbour window (-1 when none).' }) indices: number[];
  @Field(() => [Float], { nullable: 'items', description: `Distance to the nearest earlier window; ${INFINITY}` })
  leftProfile: (number | null)[];
  @Field(() => [Int], { description: 'Index of the nearest earlier window (-1 when none).' }) leftIndices: number[];
  @Field(() => [Float], { nullable: 'items', description: `Distance to the nearest later window; ${INFINITY}` })
  rightProfile: (number | null)[];
  @Field(() => [Int], { description: 'Index of the nearest later window (-1 when none).' }) rightIndices: number[];
}

const finiteOrNull = (values: Float64Array) => Array.from(values, (v) => (Number.isFinite(v) ? v : null));

export function toProfileModel(p: PpmvProfile): PpmvMatrixProfileModel {
  return {
    sensorName: p.sensorName,
    window: p.windowSize,
    exclusionZone: p.exclusionZone,
    normalized: p.normalized,
    points: p.points,
    firstAt: p.firstAt,
    lastAt: p.lastAt,
    profile: finiteOrNull(p.distances),
    indices: Array.from(p.indices),
    leftProfile: finiteOrNull(p.leftDistances),
    leftIndices: Array.from(p.leftIndices),
    rightProfile: finiteOrNull(p.rightDistances),
    rightIndices: Array.from(p.rightIndices),
  };
}
