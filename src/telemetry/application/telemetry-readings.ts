import type { AxisName } from '../../machines/domain/machine.js';

/**
 * What a device sent, once the edge (presentation/telemetry-payloads.ts) validated it:
 * types are right, numbers finite, `ts` resolved (the receive time when absent). Which
 * machine and which axes it may carry is decided by the ingestion service.
 */
export interface ElectricalReading {
  ts: Date;
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

export interface AxesReading {
  ts: Date;
  axes: ReadonlyArray<readonly [AxisName, AxisReading]>;
}

export interface ToolReading {
  ts: Date;
  toolInUse: number | null;
  toolOffset: number | null;
  feedRate: number | null;
}

/** Where a message came from: the machine code of its topic, and when it was received. */
export interface ReadingSource {
  code: string;
  topic: string;
  receivedAt: Date;
}
