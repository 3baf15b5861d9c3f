import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import { Paginated } from '../../shared/graphql/pagination.js';
import type { Sides } from '../domain/registry.js';

@ObjectType('LeakField', { description: 'An oil or gas field, with the tag format of its sensors.' })
export class LeakFieldModel {
  @Field(() => Int) id: number;
  @Field() name: string;
  @Field({ description: "What every sensor tag of the field starts with ('' when no format is known)." })
  tagPrefix: string;
  @Field() description: string;
}

@ObjectType('TemplateSides', { description: 'A value per side of a template.' })
export class SidesModel implements Sides {
  @Field(() => Float) fore: number;
  @Field(() => Float) aft: number;
  @Field(() => Float) port: number;
  @Field(() => Float) starboard: number;
}

@ObjectType('LeakTemplate', { description: 'A subsea structure of a field; its sensors are placed in its frame.' })
export class LeakTemplateModel {
  @Field(() => Int) id: number;
  @Field(() => Int) fieldId: number;
  @Field() name: string;
  @Field(() => Float, {
    description:
      "Degrees clockwise from north of the template's y axis (at 0 its y axis points north and its x axis east).",
  })
  angleFromNorth: number;
  @Field(() => Float, { nullable: true, description: 'Metres.' }) height: number | null;
  @Field(() => Float, { nullable: true, description: 'Metres above the seabed; null: an open template.' })
  roofHeight: number | null;
  @Field({ description: 'No roof: the plume model applies.' }) open: boolean;
  @Field(() => SidesModel, { nullable: true, description: '0 (closed) to 1 (open) per side.' }) porosity: Sides | null;
  @Field(() => SidesModel, { nullable: true, description: 'm² per side.' }) wallArea: Sides | null;
  @Field(() => SidesModel, { nullable: true, description: 'Degrees from vertical per side.' })
  inclination: Sides | null;
  @Field(() => Float, { nullable: true, description: 'm³.' }) internalVolume: number | null;
  @Field(() => Float, { nullable: true, description: 'Metres.' }) length: number | null;
  @Field(() => Float, { nullable: true, description: 'Metres.' }) width: number | null;
}

export const LeakTemplatePage = Paginated(LeakTemplateModel, 'LeakTemplatePage');

@ObjectType('LeakSensor', {
  description: 'A gas sensor on a template; its name is its tag (and its MQTT topic level).',
})
export class LeakSensorModel {
  @Field(() => Int) id: number;
  @Field(() => Int) templateId: number;
  @Field() name: string;
  @Field(() => Float, { description: 'Metres in the template frame.' }) x: number;
  @Field(() => Float) y: number;
  @Field(() => Float) z: number;
  @Field() pinned: boolean;
  @Field({ description: '"This is normal": readings are learnt as normal while it is on.' }) feedbackMode: boolean;
  @Field(() => Int, { description: 'Points of the matrix-profile window (144 = a day at 10-minute sampling).' })
  window: number;
  @Field(() => Float, { description: "Percent of the baseline's worst distance from which a reading is WARNING." })
  warningPercent: number;
  @Field(() => Float, { description: '… and from which it is CRITICAL.' }) criticalPercent: number;
}

export const LeakSensorPage = Paginated(LeakSensorModel, 'LeakSensorPage');

@ObjectType('LeakRemovedCount')
export class LeakRemovedCountModel {
  @Field() what: string;
  @Field(() => Float, { description: 'A whole number.' }) count: number;
}

@ObjectType('LeakDeletionReport', { description: 'What a deletion took with it.' })
export class LeakDeletionReportModel {
  @Field({ description: "What was deleted, e.g. 'sensor 19XT2116'." }) deleted: string;
  @Field(() => [LeakRemovedCountModel]) removed: LeakRemovedCountModel[];
}
