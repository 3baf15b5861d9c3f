import { ArgsType, Field, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsDate, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageArgs, Paginated } from '../../shared/graphql/pagination.js';
import { SensorNamesFilter } from './leak-readings.args.js';
import {
  INVESTIGATION_RESULTS,
  type InvestigationResult,
  type InvestigationTrigger,
} from '../application/leak-investigations.ports.js';

export const InvestigationResultEnum = {
  CONFIRMED: 'CONFIRMED',
  EXTERNAL_CAUSE: 'EXTERNAL_CAUSE',
  UNDEFINED: 'UNDEFINED',
  NOT_SUPPORTED: 'NOT_SUPPORTED',
} as const;
registerEnumType(InvestigationResultEnum, {
  name: 'LeakInvestigationResult',
  description:
    "CONFIRMED: one candidate leak explains the readings (named); EXTERNAL_CAUSE: the template's other sensors move with it; UNDEFINED: none or several explain it, or inputs are missing (see reason); NOT_SUPPORTED: a closed or semi-closed template.",
});

@ObjectType('LeakInvestigation', {
  description: "Simulation and estimation for one sensor's reading: run on every change to CRITICAL, or on request.",
})
export class LeakInvestigationModel {
  @Field() id: string;
  @Field() sensorName: string;
  @Field({ description: 'The reading investigated.' }) at: Date;
  @Field(() => String, {
    description:
      'CRITICAL (automatic: at the change to CRITICAL, or a follow-up while it lasts, with details.followUp) or REQUEST.',
  })
  trigger: InvestigationTrigger;
  @Field(() => InvestigationResultEnum) result: InvestigationResult;
  @Field({ description: "Why: the estimation's reason (ONE_CANDIDATE, NO_CANDIDATE, …) or what was missing." })
  reason: string;
  @Field(() => String, { nullable: true, description: 'CONFIRMED: the leak, as name(x,y,z).' })
  confirmedName: string | null;
  @Field({ description: 'Scores per candidate, neighbour correlation and parameters, as JSON.' }) details: string;
  @Field() createdAt: Date;
}

export const LeakInvestigationPage = Paginated(LeakInvestigationModel, 'LeakInvestigationPage');

@ArgsType()
export class LeakInvestigationsArgs extends PageArgs {
  @SensorNamesFilter()
  sensorNames?: string[] | null;

  @Field(() => [InvestigationResultEnum], { nullable: true })
  @IsOptional()
  @IsIn(INVESTIGATION_RESULTS, { each: true })
  results?: InvestigationResult[] | null;
}

@ArgsType()
export class InvestigateLeakArgs {
  @Field() @IsString() @MaxLength(100) sensorName: string;
  @Field({ description: "The reading to investigate: the sensor's readings up to this time are compared." })
  @IsDate()
  at: Date;
}

@ArgsType()
export class LeakInvestigationAddedArgs {
  @SensorNamesFilter()
  sensorNames?: string[] | null;
}
