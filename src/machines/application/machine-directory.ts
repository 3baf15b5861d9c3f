import type { MachineRef } from '../domain/machine.js';

/** Port: loads every machine with its axes (implemented in infrastructure). */
export abstract class MachineRefSource {
  abstract loadAll(): Promise<MachineRef[]>;
}

/**
 * The in-memory code → machine map used on the hot path. Loaded at start, reloaded by
 * MachinesService after every change of the registry (on this replica; other replicas
 * reload on the `machines.changed` event, see MachinesService).
 */
export class MachineDirectory {
  private byCode = new Map<string, MachineRef>();
  private byId = new Map<number, MachineRef>();

  replace(machines: MachineRef[]): void {
    this.byCode = new Map(machines.map((m) => [m.code, m]));
    this.byId = new Map(machines.map((m) => [m.id, m]));
  }

  findByCode(code: string): MachineRef | undefined {
    return this.byCode.get(code);
  }

  findById(id: number): MachineRef | undefined {
    return this.byId.get(id);
  }

  all(): MachineRef[] {
    return [...this.byId.values()];
  }
}
