import { Field, Float, Int, ObjectType } from '@nestjs/graphql';
import type { MachineState } from '../domain/machine-state.js';
import { MachineStateEnum } from './machine-state.models.js';
import { ShiftModel } from './shifts.models.js';

@ObjectType('TimeInState')
export class TimeInStateModel {
  @Field(() => MachineStateEnum) state: MachineState;
  @Field(() => Float) seconds: number;
}

@ObjectType('ProductionStatistics', { description: 'Null when no plausible PRODUCTION reading is in the window.' })
export class ProductionStatisticsModel {
  @Field(() => Float, { nullable: true }) avg: number | null;
  @Field(() => Float, { nullable: true }) min: number | null;
  @Field(() => Float, { nullable: true }) max: number | null;
}

@ObjectType('ProductionReport', {
  description:
    'Figures of one machine over a shift or a UTC day. current/voltage are over the readings taken in PRODUCTION, leaving out implausible spikes (above the highest standard of all active element types plus a margin), each quantity on its own.',
})
export class ProductionReportModel {
  @Field() machineCode: string;
  @Field(() => ShiftModel, { nullable: true, description: 'The shift reported on; null for a machine-day report.' })
  shift: ShiftModel | null;
  @Field() from: Date;
  @Field({ description: 'Exclusive.' }) to: Date;
  @Field(() => [TimeInStateModel], { description: 'Every state; segments clipped to the window.' })
  timeInState: TimeInStateModel[];
  @Field(() => ProductionStatisticsModel, { description: 'Amperes.' }) current: ProductionStatisticsModel;
  @Field(() => ProductionStatisticsModel, { description: 'Volts.' }) voltage: ProductionStatisticsModel;
  @Field(() => Int, { description: 'Episodes overlapping the window.' }) outOfStandardEpisodes: number;
  @Field(() => Int, { description: 'Every reading in the window.' }) samples: number;
  @Field(() => Int, { description: 'Readings taken in PRODUCTION.' }) productionSamples: number;
  @Field(() => Int, { description: 'PRODUCTION readings with a current or voltage above the limit.' })
  implausibleSamples: number;
  @Field(() => Float, { nullable: true, description: 'Currents above this are spikes (A); null: no standard.' })
  currentLimit: number | null;
  @Field(() => Float, { nullable: true, description: 'Voltages above this are spikes (V); null: no standard.' })
  voltageLimit: number | null;
}
