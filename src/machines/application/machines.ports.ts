import type { PageResult } from '../../shared/graphql/pagination.js';
import type { ElementType, ElementTypeFields } from '../domain/element-type.js';
import type {
  Axis,
  AxisFields,
  Machine,
  MachineFields,
  MachineSummary,
  MachineType,
  MachineTypeFields,
  Tool,
  ToolFields,
} from '../domain/machine.js';
import type { SeenAt } from './last-seen-writer.js';

export interface MachineFilter {
  /** Matches code, name, model or maker. */
  text?: string;
  machineTypeId?: number;
  blocked?: boolean;
}

/** Machines with their type, axes and tools. Uniqueness (code) is the database's. */
export abstract class MachineRepository {
  abstract findByCode(code: string): Promise<Machine | null>;
  /** Every machine (or those of `ids`) with its type, without parts, in one query. */
  abstract summaries(ids?: readonly number[]): Promise<MachineSummary[]>;
  abstract list(filter: MachineFilter, page: { offset: number; limit: number }): Promise<PageResult<Machine>>;
  /** The machine and its parts in one transaction. */
  abstract create(machine: MachineFields, axes: AxisFields[], tools: ToolFields[]): Promise<Machine>;
  /** Applies the changes and returns the machine as stored. */
  abstract update(id: number, changes: Partial<MachineFields>): Promise<Machine>;
  /** Axes and tools go with it (foreign keys cascade). Joins the running transaction. */
  abstract delete(id: number): Promise<void>;
  /**
   * Moves each machine's last seen forward to its `at`, in one statement that waits for no
   * lock: returns the machines whose row was busy (in a running transaction), left for later.
   */
  abstract markSeen(seen: readonly SeenAt[]): Promise<number[]>;
  /** False when the machine does not exist. */
  abstract addUsageSeconds(id: number, seconds: number): Promise<boolean>;
}

export abstract class MachinePartRepository {
  abstract findAxis(id: number): Promise<Axis | null>;
  abstract createAxis(machineId: number, axis: AxisFields): Promise<Axis>;
  abstract updateAxis(axis: Axis): Promise<Axis>;
  abstract deleteAxis(id: number): Promise<void>;
  abstract findTool(id: number): Promise<Tool | null>;
  abstract createTool(machineId: number, tool: ToolFields): Promise<Tool>;
  abstract updateTool(tool: Tool): Promise<Tool>;
  abstract deleteTool(id: number): Promise<void>;
}

export abstract class MachineTypeRepository {
  abstract list(): Promise<MachineType[]>;
  abstract findById(id: number): Promise<MachineType | null>;
  abstract create(type: MachineTypeFields): Promise<MachineType>;
  abstract save(type: MachineType): Promise<MachineType>;
  /** Deletes the type unless a machine uses it; returns how many machines use it (0: deleted). */
  abstract deleteUnused(id: number): Promise<number>;
}

export abstract class ElementTypeRepository {
  abstract list(includeInactive: boolean): Promise<ElementType[]>;
  abstract findById(id: number): Promise<ElementType | null>;
  abstract create(type: ElementTypeFields): Promise<ElementType>;
  abstract save(type: ElementType): Promise<ElementType>;
}
