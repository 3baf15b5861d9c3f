import { Injectable } from '@nestjs/common';
import { MachinesService } from '../../machines/application/machines.service.js';
import type { MachineRef, MachineSummary } from '../../machines/domain/machine.js';
import { UsersService } from '../../identity/application/users.service.js';
import { InvalidInputError, NotFoundError } from '../../shared/errors/domain-errors.js';

/** A machine as access records show it. */
export interface MachineLabel {
  id: number;
  code: string;
  name: string;
}

/** A user as access records show them (null once a record is anonymised). */
export interface UserLabel {
  id: string;
  displayName: string;
}

export type Labelled<T> = T & { machine: MachineLabel; user: UserLabel | null };

/**
 * Machines and users as the access API shows them: machines from the in-memory directory,
 * users' names in one call per page of records.
 */
@Injectable()
export class AccessDirectory {
  constructor(
    private readonly machines: MachinesService,
    private readonly users: UsersService,
  ) {}

  machineByCode(code: string): MachineRef {
    const machine = this.machines.findByCode(code);
    if (!machine) throw new NotFoundError('Machine', code);
    return machine;
  }

  /** The machine ids of a list filter; unknown codes are named under `field`. */
  machineIdsOf(codes: readonly string[], field = 'machineCodes'): number[] {
    const unknown = codes.filter((code) => !this.machines.findByCode(code));
    if (unknown.length)
      throw new InvalidInputError(`Unknown machine(s): ${unknown.join(', ')}`, {
        [field]: `unknown: ${unknown.join(', ')}`,
      });
    return [...new Set(codes)].map((code) => this.machines.findByCode(code)!.id);
  }

  /** A machine deleted meanwhile shows its id as code. */
  machineLabel(id: number): MachineLabel {
    const machine = this.machines.findById(id);
    return { id, code: machine?.code ?? String(id), name: machine?.name ?? '' };
  }

  /** Records with their machine and user, with one query for the users' names. */
  async label<T extends { machineId: number; userId: string | null }>(records: T[]): Promise<Labelled<T>[]> {
    const names = await this.users.displayNames(records.flatMap((r) => (r.userId ? [r.userId] : [])));
    return records.map((record) => ({
      ...record,
      machine: this.machineLabel(record.machineId),
      user: record.userId ? { id: record.userId, displayName: names.get(record.userId) ?? '' } : null,
    }));
  }

  userNames(ids: readonly string[]): Promise<Map<string, string>> {
    return this.users.displayNames(ids);
  }

  /** Every machine with its type, blocked flag and last seen, read now (one query, no parts). */
  allMachines(): Promise<MachineSummary[]> {
    return this.machines.summaries();
  }
}
