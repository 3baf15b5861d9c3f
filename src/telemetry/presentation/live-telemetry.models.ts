import { Field, Float, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { AXIS_NAMES, type AxisName } from '../../machines/domain/machine.js';

/**
 * The axes of axis samples. Same values as the machines context's AxisName, which this
 * context cannot reference (layer rules) and must not register a second time under that name.
 */
export const SampleAxisEnum = Object.fromEntries(AXIS_NAMES.map((name) => [name, name])) as Record<AxisName, AxisName>;
registerEnumType(SampleAxisEnum, { name: 'SampleAxis', description: 'The axis of an axis sample: X, Y, Z, A, C.' });

@ObjectType('ElectricalSample', { description: 'One electrical reading of a machine.' })
export class ElectricalSampleModel {
  @Field() machineCode: string;
  @Field() ts: Date;
  @Field(() => Float, { description: 'Amperes.' }) current: number;
  @Field(() => Float, { description: 'Volts.' }) voltage: number;
}

@ObjectType('AxisSample', { description: 'One reading of one CNC axis.' })
export class AxisSampleModel {
  @Field() machineCode: string;
  @Field(() => SampleAxisEnum) axis: AxisName;
  @Field() ts: Date;
  @Field(() => Float) actual: number;
  @Field(() => Float) target: number;
  @Field(() => Float, { description: 'target − actual, computed by the server.' }) distanceToGo: number;
  @Field(() => Float) velocity: number;
  @Field(() => Float) acceleration: number;
  @Field() homed: boolean;
}

@ObjectType('ToolSample', { description: 'Tool data of a CNC machine; a device may send any of the three.' })
export class ToolSampleModel {
  @Field() machineCode: string;
  @Field() ts: Date;
  @Field(() => Int, { nullable: true }) toolInUse: number | null;
  @Field(() => Float, { nullable: true }) toolOffset: number | null;
  @Field(() => Float, { nullable: true }) feedRate: number | null;
}

@ObjectType('MachineSummary')
export class MachineSummaryModel {
  @Field() code: string;
  @Field() name: string;
}

@ObjectType('MachineLatestTelemetry', { description: "A machine's newest samples, served from memory." })
export class MachineLatestTelemetryModel {
  @Field(() => MachineSummaryModel) machine: MachineSummaryModel;
  @Field(() => ElectricalSampleModel, { nullable: true }) electrical: ElectricalSampleModel | null;
  @Field(() => [AxisSampleModel], { description: 'The newest sample of each axis that has one.' })
  axes: AxisSampleModel[];
  @Field(() => ToolSampleModel, { nullable: true }) tool: ToolSampleModel | null;
}
