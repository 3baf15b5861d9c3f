import type { MachineProfile } from '../domain/machine.js';

/** Port: loads every machine with its axes, type and blocked flag (implemented in infrastructure). */
export abstract class MachineRefSource {
  abstract loadAll(): Promise<MachineProfile[]>;
}

/**
 * The in-memory code → machine map used on the hot path. Loaded at start, reloaded by
 * MachinesService after every change of the registry (on this replica; other replicas
 * reload on the `machines.changed` event, see MachinesService).
 */
export class MachineDirectory {
  private byCode = new Map<string, MachineProfile>();
  private byId = new Map<number, MachineProfile>();

  replace(machines: MachineProfile[]): void {
    this.byCode = new Map(machines.map((m) => [m.code, m]));
    this.byId = new Map(machines.map((m) => [m.id, m]));
  }

  findByCode(code: string): MachineProfile | undefined {
    return this.byCode.get(code);
  }

  findById(id: number): MachineProfile | undefined {
    return this.byId.get(id);
  }

  all(): MachineProfile[] {
    return [...this.byId.values()];
  }
}
