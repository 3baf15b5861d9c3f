import type { AxisName } from '../../machines/domain/machine.js';

/** One electrical reading of a machine (welding current and voltage). */
export interface ElectricalSample {
  machineId: number;
  ts: Date;
  current: number;
  voltage: number;
}

/** One axis reading; distanceToGo is derived here (target − actual), never taken from devices. */
export interface AxisSample {
  machineId: number;
  axis: AxisName;
  ts: Date;
  actual: number;
  target: number;
  distanceToGo: number;
  velocity: number;
  acceleration: number;
  homed: boolean;
}

/** Tool data of a CNC machine; each field is optional in a message. */
export interface ToolSample {
  machineId: number;
  ts: Date;
  toolInUse: number | null;
  toolOffset: number | null;
  feedRate: number | null;
}

export function distanceToGo(actual: number, target: number): number {
  return target - actual;
}
