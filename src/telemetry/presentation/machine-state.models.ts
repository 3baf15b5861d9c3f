import { Field, Float, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { MACHINE_STATES, type MachineState } from '../domain/machine-state.js';

/** OFF / IDLE / PRODUCTION as a GraphQL enum. */
export const MachineStateEnum = Object.fromEntries(MACHINE_STATES.map((s) => [s, s])) as Record<
  MachineState,
  MachineState
>;
registerEnumType(MachineStateEnum, {
  name: 'MachineState',
  description: 'What a welding machine is doing, derived by the server from its current and voltage.',
});

@ObjectType('MachineStateBand', {
  description:
    'The readings that mean a state. Bounds are inclusive (min ≤ value ≤ max); null is open. Bands are tried by priority: the first containing both the current and the voltage wins; a reading in no band is IDLE.',
})
export class MachineStateBandModel {
  @Field(() => MachineStateEnum) state: MachineState;
  @Field(() => Int, { description: 'Lower is tried first.' }) priority: number;
  @Field(() => Float, { nullable: true, description: 'Amperes.' }) currentMin: number | null;
  @Field(() => Float, { nullable: true, description: 'Amperes.' }) currentMax: number | null;
  @Field(() => Float, { nullable: true, description: 'Volts.' }) voltageMin: number | null;
  @Field(() => Float, { nullable: true, description: 'Volts.' }) voltageMax: number | null;
  @Field({ description: 'Display colour, e.g. "#2e7d32".' }) color: string;
}

@ObjectType('CurrentMachineState', {
  description: "A machine's state now (machines that never sent a reading are absent).",
})
export class CurrentMachineStateModel {
  @Field() machineCode: string;
  @Field(() => MachineStateEnum) state: MachineState;
  @Field({ description: 'When the current state began.' }) since: Date;
  @Field({ description: 'The last reading is out of the standard of the active shift.' }) alert: boolean;
  @Field({ description: 'The last reading taken into account.' }) lastSampleAt: Date;
}

@ObjectType('MachineStateChange', { description: "A machine's state changed, or its alert flag flipped." })
export class MachineStateChangeModel {
  @Field() machineCode: string;
  @Field(() => MachineStateEnum) state: MachineState;
  @Field(() => MachineStateEnum, { nullable: true, description: 'Null for the first reading ever.' })
  previousState: MachineState | null;
  @Field({ description: 'When the current state began.' }) since: Date;
  @Field() alert: boolean;
  @Field({ description: 'The reading that caused the change.' }) at: Date;
}

@ObjectType('MachineStateSegment', { description: 'A stretch of time in one state, clipped to the window asked for.' })
export class MachineStateSegmentModel {
  @Field() machineCode: string;
  @Field(() => MachineStateEnum) state: MachineState;
  @Field() start: Date;
  @Field({ description: 'For the open segment: its last reading (kept current while the state holds).' }) end: Date;
  @Field(() => Float) durationSeconds: number;
  @Field({ description: 'The machine is still in this state.' }) open: boolean;
}

@ObjectType('OutOfStandardEpisode', {
  description: 'Readings out of the standard of the active shift, from the first one to the first back inside.',
})
export class OutOfStandardEpisodeModel {
  @Field(() => Int) id: number;
  @Field() machineCode: string;
  @Field(() => Int, { nullable: true, description: 'The shift whose standard was left.' }) shiftId: number | null;
  @Field() start: Date;
  @Field(() => Date, { nullable: true, description: 'The first reading back in standard; null while open.' })
  end: Date | null;
  @Field() lastSampleAt: Date;
  @Field(() => Float, { description: 'Up to the end, or to the last reading while open.' }) durationSeconds: number;
  @Field() open: boolean;
  @Field(() => Float, { description: 'The highest current of the episode (A).' }) peakCurrent: number;
  @Field(() => Float, { description: 'The highest voltage of the episode (V).' }) peakVoltage: number;
  @Field(() => Int) sampleCount: number;
}
