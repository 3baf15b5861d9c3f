import { Field, Float, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Paginated } from '../../shared/graphql/pagination.js';
import { AXIS_NAMES, type AxisName } from '../domain/machine.js';

/** The CNC axes, as a GraphQL enum: `X`, `Y`, `Z`, `A`, `C`. */
export const AxisNameEnum = Object.fromEntries(AXIS_NAMES.map((name) => [name, name])) as Record<AxisName, AxisName>;
registerEnumType(AxisNameEnum, { name: 'AxisName', description: 'A CNC axis: linear X, Y, Z; rotary A, C.' });

@ObjectType('MachineType', { description: 'How RFID access treats the machines of this type.' })
export class MachineTypeModel {
  @Field(() => Int) id: number;
  @Field() name: string;
  @Field(() => Int, { description: 'A use ends after this many minutes without activity (0: never).' })
  autoLogoffMinutes: number;
  @Field(() => Int, { description: 'Boards warn this many minutes before the auto-logoff.' }) graceMinutes: number;
  @Field({ description: 'Card holders need an explicit authorisation for these machines.' })
  needsAuthorization: boolean;
  @Field() createdAt: Date;
}

@ObjectType('ElementType', {
  description: 'A welding standard: the current and voltage band a reading must stay in while a shift welds it.',
})
export class ElementTypeModel {
  @Field(() => Int) id: number;
  @Field() name: string;
  @Field({ description: 'Free text, e.g. the thickness range the standard applies to.' }) range: string;
  @Field(() => Float, { description: 'Amperes.' }) currentMin: number;
  @Field(() => Float, { description: 'Amperes.' }) currentMax: number;
  @Field(() => Float, { description: 'Volts.' }) voltageMin: number;
  @Field(() => Float, { description: 'Volts.' }) voltageMax: number;
  @Field() description: string;
  @Field({ description: 'Inactive standards are kept for the shifts that used them, and not offered.' })
  active: boolean;
  @Field() createdAt: Date;
}

@ObjectType('Axis')
export class AxisModel {
  @Field(() => Int) id: number;
  @Field(() => Int) machineId: number;
  @Field(() => AxisNameEnum) name: AxisName;
  @Field(() => Float) maxVelocity: number;
  @Field(() => Float) maxAcceleration: number;
}

@ObjectType('Tool')
export class ToolModel {
  @Field(() => Int) id: number;
  @Field(() => Int) machineId: number;
  @Field(() => Int, { description: "The tool's place in the magazine (1…)." }) number: number;
  @Field(() => Float) toolOffset: number;
  @Field(() => Float) feedRate: number;
}

@ObjectType('Machine')
export class MachineModel {
  @Field(() => Int, { description: 'Numeric id (what FAB-O-MATIC boards use).' }) id: number;
  @Field({ description: 'The id devices use in MQTT topics.' }) code: string;
  @Field() name: string;
  @Field() model: string;
  @Field() maker: string;
  @Field(() => Float, { nullable: true }) capacityAmps: number | null;
  @Field(() => String, { nullable: true, description: 'Calendar date, YYYY-MM-DD.' }) dateOfPurchase: string | null;
  @Field(() => MachineTypeModel, { nullable: true }) machineType: MachineTypeModel | null;
  @Field({ description: 'Blocked machines cannot be started with a card.' }) blocked: boolean;
  @Field(() => Float, { description: 'Cumulative hours of use (counted by RFID uses).' }) hours: number;
  @Field(() => Date, { nullable: true, description: 'When data last arrived from the machine.' })
  lastSeenAt: Date | null;
  @Field(() => [AxisModel]) axes: AxisModel[];
  @Field(() => [ToolModel]) tools: ToolModel[];
  @Field() createdAt: Date;
  @Field() updatedAt: Date;
}

export const MachinePage = Paginated(MachineModel, 'MachinePage');

@ObjectType('DeletedMachine')
export class DeletedMachineModel {
  @Field() code: string;
  @Field() name: string;
}

@ObjectType('RemovedCount')
export class RemovedCountModel {
  @Field({ description: 'What was removed with the machine, e.g. "axes" or "electrical samples".' }) what: string;
  /** Float, not Int: a machine's samples can outgrow a 32-bit integer. */
  @Field(() => Float, { description: 'A whole number.' }) count: number;
}

@ObjectType('MachineDeletionReport', { description: 'A deleted machine and what went with it.' })
export class MachineDeletionReportModel {
  @Field(() => DeletedMachineModel) machine: DeletedMachineModel;
  @Field(() => [RemovedCountModel]) removed: RemovedCountModel[];
}
