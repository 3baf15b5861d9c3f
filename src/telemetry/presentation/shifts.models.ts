import { Field, Float, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Paginated } from '../../shared/graphql/pagination.js';

@ObjectType('Operator', { description: 'A welder or other operator of machines.' })
export class OperatorModel {
  @Field(() => Int) id: number;
  @Field() name: string;
  @Field(() => Int, { description: 'The welder number: unique.' }) number: number;
  @Field() qualification: string;
  @Field(() => Float, { nullable: true, description: 'The plate thickness (mm) the operator is qualified for.' })
  qualifiedThickness: number | null;
  @Field(() => String, { nullable: true, description: 'Calendar date, YYYY-MM-DD.' }) dateOfJoining: string | null;
  @Field({ description: 'Inactive operators keep their shifts and cannot be given new ones.' }) active: boolean;
  @Field() createdAt: Date;
}

export const OperatorPage = Paginated(OperatorModel, 'OperatorPage');

export enum OperatorDeletionOutcome {
  DELETED = 'DELETED',
  DEACTIVATED = 'DEACTIVATED',
}
registerEnumType(OperatorDeletionOutcome, {
  name: 'OperatorDeletionOutcome',
  description: 'DEACTIVATED: the operator has shifts, which keep referring to them.',
});

@ObjectType('OperatorDeletion')
export class OperatorDeletionModel {
  @Field(() => OperatorModel) operator: OperatorModel;
  @Field(() => OperatorDeletionOutcome) outcome: OperatorDeletionOutcome;
}

@ObjectType('Shift', { description: 'An operator on a machine for a time window, welding one element type.' })
export class ShiftModel {
  @Field(() => Int) id: number;
  @Field() machineCode: string;
  @Field(() => OperatorModel) operator: OperatorModel;
  @Field(() => Int, { description: 'The element type whose standard readings are checked against.' })
  elementTypeId: number;
  @Field() startsAt: Date;
  @Field({ description: 'Exclusive: a shift may start when the previous one ends.' }) endsAt: Date;
  @Field(() => Float) durationSeconds: number;
  @Field() plateThickness: string;
  @Field() plateDescription: string;
  @Field() remarks: string;
  @Field() iNo: string;
  @Field() fcNo: string;
  @Field() project: string;
  @Field() createdAt: Date;
}

export const ShiftPage = Paginated(ShiftModel, 'ShiftPage');

@ObjectType('Instruction')
export class InstructionModel {
  @Field(() => Int) id: number;
  @Field() text: string;
  @Field() createdAt: Date;
}

export const InstructionPage = Paginated(InstructionModel, 'InstructionPage');
