/** Payloads of PROTOCOLS.md section A (plant telemetry), as the simulated devices publish them. */

export const AXIS_NAMES = ['X', 'Y', 'Z', 'A', 'C'] as const;
export type AxisName = (typeof AXIS_NAMES)[number];

/** `ts` is always sent, as epoch milliseconds. */
export interface ElectricalPayload {
  ts: number;
  current: number;
  voltage: number;
}

export interface AxisReading {
  actual: number;
  target: number;
  velocity: number;
  acceleration: number;
  homed: boolean;
}

export interface AxesPayload {
  ts: number;
  axes: Partial<Record<AxisName, AxisReading>>;
}

export interface ToolPayload {
  ts: number;
  toolInUse?: number;
  toolOffset?: number;
  feedrate?: number;
}

/** A gas sensor's reading (`plant/sensors/{sensorName}/ppmv`). */
export interface PpmvPayload {
  ts: number;
  ppmv: number;
}

/** `code` is the machine's code, or the gas sensor's name. */
export type SimulatorMessage =
  | { kind: 'electrical'; code: string; topic: string; payload: ElectricalPayload }
  | { kind: 'axes'; code: string; topic: string; payload: AxesPayload }
  | { kind: 'tool'; code: string; topic: string; payload: ToolPayload }
  | { kind: 'ppmv'; code: string; topic: string; payload: PpmvPayload };

export type MessageKind = SimulatorMessage['kind'];

export function machineTopic(root: string, code: string, kind: Exclude<MessageKind, 'ppmv'>): string {
  return `${root}/machines/${code}/${kind}`;
}

export function sensorTopic(root: string, sensorName: string): string {
  return `${root}/sensors/${sensorName}/ppmv`;
}
