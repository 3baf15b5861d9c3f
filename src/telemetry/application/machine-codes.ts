import type { MachineRef } from '../../machines/domain/machine.js';
import { InvalidInputError, NotFoundError } from '../../shared/errors/domain-errors.js';

/** What telemetry needs of the machine directory (MachinesService, resolved from memory). */
export interface MachineLookup {
  findByCode(code: string): MachineRef | undefined;
  findById(id: number): MachineRef | undefined;
}

/** The machines of a list argument; unknown codes are named under `field`. */
export function machinesByCodes(lookup: MachineLookup, codes: readonly string[], field = 'machineCodes'): MachineRef[] {
  const unique = [...new Set(codes)];
  const found = unique.map((code) => lookup.findByCode(code));
  const unknown = unique.filter((_, i) => !found[i]);
  if (unknown.length)
    throw new InvalidInputError(`Unknown machine(s): ${unknown.join(', ')}`, {
      [field]: `unknown: ${unknown.join(', ')}`,
    });
  return found as MachineRef[];
}

export function machineByCode(lookup: MachineLookup, code: string): MachineRef {
  const machine = lookup.findByCode(code);
  if (!machine) throw new NotFoundError('Machine', code);
  return machine;
}

/** The code of a machine; rows of a machine deleted meanwhile show its id. */
export function codeOf(lookup: MachineLookup, machineId: number): string {
  return lookup.findById(machineId)?.code ?? String(machineId);
}
