import { Field, Float, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Paginated } from '../../shared/graphql/pagination.js';
import type { PvType } from '../domain/experiments.js';

export const PvTypeEnum = { NUMBER: 'NUMBER', TEXT: 'TEXT' } as const satisfies Record<PvType, PvType>;
registerEnumType(PvTypeEnum, {
  name: 'PvType',
  description: 'NUMBER: values are numbers (set values must be decimal numbers); TEXT: values are texts.',
});

@ObjectType('Experiment', {
  description: 'A lab experiment: the PVs whose names start with its name and a colon, and the users assigned to it.',
})
export class ExperimentModel {
  @Field(() => Int) id: number;
  @Field({ description: 'The prefix of its PV names (`Test` for `Test:Machine3:FanSpeed1`); never changes.' })
  name: string;
  @Field(() => String, { nullable: true, description: 'Human-readable name.' }) displayName: string | null;
}

export const ExperimentPage = Paginated(ExperimentModel, 'ExperimentPage');

@ObjectType('Pv', { description: 'A process variable of an experiment.' })
export class PvModel {
  @Field(() => Int) id: number;
  @Field({ description: 'E.g. `Test:Machine3:FanSpeed1`; its MQTT topic is plant/pv/Test/Machine3/FanSpeed1.' })
  name: string;
  @Field({ description: 'The text before the first colon of the name.' }) experimentName: string;
  @Field(() => String, { nullable: true, description: 'Human-readable name.' }) displayName: string | null;
  @Field({ description: "'' when none." }) unit: string;
  @Field({ description: 'Whether setPv may set it.' }) writable: boolean;
  @Field(() => PvTypeEnum) type: PvType;
  @Field(() => Float, { nullable: true, description: 'Default lower limit of threshold subscriptions.' })
  thresholdMin: number | null;
  @Field(() => Float, { nullable: true, description: 'Default upper limit of threshold subscriptions.' })
  thresholdMax: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'A set value must be at least this (NUMBER PVs); null: no bound.',
  })
  setMin: number | null;
  @Field(() => Float, { nullable: true, description: 'A set value must be at most this (NUMBER PVs); null: no bound.' })
  setMax: number | null;
}

export const PvPage = Paginated(PvModel, 'PvPage');

@ObjectType('ExperimentAssignment', { description: 'A user assigned to an experiment.' })
export class ExperimentAssignmentModel {
  @Field() userId: string;
  @Field() displayName: string;
  @Field() assignedAt: Date;
}

export const ExperimentAssignmentPage = Paginated(ExperimentAssignmentModel, 'ExperimentAssignmentPage');

@ObjectType('ExperimentRemovedCount')
export class ExperimentRemovedCountModel {
  @Field() what: string;
  @Field(() => Float, { description: 'A whole number.' }) count: number;
}

@ObjectType('ExperimentDeletionReport', { description: 'What a deletion took with it.' })
export class ExperimentDeletionReportModel {
  @Field({ description: "What was deleted, e.g. 'PV Test:Machine3:FanSpeed1'." }) deleted: string;
  @Field(() => [ExperimentRemovedCountModel]) removed: ExperimentRemovedCountModel[];
}
