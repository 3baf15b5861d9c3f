import { MACHINE_CODE, type MachineRef } from '../../machines/domain/machine.js';
import type { LeftOut, SourceLookup } from '../../shared/ingestion/sample-kind.js';
import { distanceToGo, type AxisSample, type ElectricalSample, type ToolSample } from '../domain/samples.js';
import type { AxesReading, ElectricalReading, ToolReading } from './telemetry-readings.js';

/**
 * How the three telemetry kinds turn a topic and its readings into samples (the rest of
 * their declaration is in telemetry.sample-kinds.ts): the machine comes from the in-memory
 * directory, and distance to go is derived here, never taken from devices.
 */

/** A code no machine could have (MACHINE_CODE) is refused without being listed: it could never be registered. */
export function lookUpMachine(machine: MachineRef | undefined, code: string): SourceLookup<MachineRef> {
  if (machine) return { found: machine };
  if (!MACHINE_CODE.test(code)) return { invalid: 'the topic holds no valid machine code' };
  return { unregistered: { kind: 'machine', key: code } };
}

export function electricalSamples(machine: MachineRef, readings: readonly ElectricalReading[]): ElectricalSample[] {
  const samples = new Array<ElectricalSample>(readings.length);
  for (let i = 0; i < readings.length; i++) {
    const { ts, current, voltage } = readings[i];
    samples[i] = { machineId: machine.id, ts, current, voltage };
  }
  return samples;
}

/**
 * An axis the machine does not have is left out (counted, logged, and listed as an
 * unregistered axis that one click registers) while the message's other axes are stored:
 * one unregistered axis on a controller must not blank the axes that are registered.
 */
export function axisSamples(machine: MachineRef, readings: readonly AxesReading[], leftOut: LeftOut): AxisSample[] {
  const samples: AxisSample[] = [];
  const unknown = new Set<string>();
  for (const { ts, axes } of readings)
    for (const [axis, reading] of axes) {
      if (!machine.axes.has(axis)) {
        unknown.add(axis);
        continue;
      }
      const { actual, target, velocity, acceleration, homed } = reading;
      samples.push({
        machineId: machine.id,
        axis,
        ts,
        actual,
        target,
        distanceToGo: distanceToGo(actual, target),
        velocity,
        acceleration,
        homed,
      });
    }
  for (const axis of unknown)
    leftOut('unknown_axis', `machine ${machine.code} has no axis ${axis}`, {
      kind: 'axis',
      key: machine.code,
      part: axis,
    });
  return samples;
}

export function toolSamples(machine: MachineRef, readings: readonly ToolReading[]): ToolSample[] {
  const samples = new Array<ToolSample>(readings.length);
  for (let i = 0; i < readings.length; i++) {
    const { ts, toolInUse, toolOffset, feedRate } = readings[i];
    samples[i] = { machineId: machine.id, ts, toolInUse, toolOffset, feedRate };
  }
  return samples;
}
