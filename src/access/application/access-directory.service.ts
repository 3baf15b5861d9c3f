import { Injectable } from '@nestjs/common';
import { MachinesService } from '../../machines/application/machines.service.js';
import { UsersService } from '../../identity/application/users.service.js';

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
 * Machines and users as the access API shows them on records: machines from the in-memory
 * directory, users' names in one call per page of records.
 */
@Injectable()
export class AccessDirectory {
  constructor(
    private readonly machines: MachinesService,
    private readonly users: UsersService,
  ) {}

  /** A machine deleted meanwhile shows its id as code. */
  machineLabel(id: number): MachineLabel {
    const machine = this.machines.findById(id);
    return { id, code: this.machines.codeOf(id), name: machine?.name ?? '' };
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
}
