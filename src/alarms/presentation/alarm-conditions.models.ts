import { Field, Float, ObjectType } from '@nestjs/graphql';
import type { AlarmSeverity, AlarmSourceKind } from '../domain/alarm.js';
import { AlarmSeverityEnum, AlarmSourceKindEnum } from './alarms.models.js';

@ObjectType('AlarmConditionParameter')
export class AlarmConditionParameterModel {
  @Field() name: string;
  @Field(() => Float) value: number;
  @Field() description: string;
  @Field(() => Float) min: number;
  @Field(() => Float) max: number;
  @Field() integer: boolean;
}

@ObjectType('AlarmCondition', {
  description: 'What raises one alarm type: its source kind, whether it is on, severity, parameters and message.',
})
export class AlarmConditionModel {
  @Field({ description: 'The alarm type it raises, e.g. OUT_OF_STANDARD.' }) type: string;
  @Field(() => AlarmSourceKindEnum) sourceKind: AlarmSourceKind;
  @Field() description: string;
  @Field() enabled: boolean;
  @Field(() => AlarmSeverityEnum) severity: AlarmSeverity;
  @Field(() => [AlarmConditionParameterModel]) parameters: AlarmConditionParameterModel[];
  @Field() messageTemplate: string;
  @Field(() => [String], { description: 'What messageTemplate may use, as {name}.' }) placeholders: string[];
  @Field() updatedAt: Date;
  @Field(() => String, { nullable: true, description: 'The user who changed it last; null: the seeded default.' })
  updatedBy: string | null;
}
