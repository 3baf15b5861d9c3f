import type { PageResult } from '../../shared/graphql/pagination.js';
import type { Instruction, Operator, OperatorFields, Shift, ShiftFields } from '../domain/shift.js';

type Page = { offset: number; limit: number };

export interface OperatorFilter {
  /** Matches name or qualification. */
  text?: string;
  active?: boolean;
}

export abstract class OperatorRepository {
  abstract list(filter: OperatorFilter, page: Page): Promise<PageResult<Operator>>;
  abstract findById(id: number): Promise<Operator | null>;
  /** CONFLICT when the number is taken. */
  abstract create(fields: OperatorFields): Promise<Operator>;
  abstract save(operator: Operator): Promise<Operator>;
  /** False when shifts refer to the operator (the database refuses): nothing is deleted then. */
  abstract deleteUnreferenced(id: number): Promise<boolean>;
}

export interface ShiftFilter {
  machineIds?: readonly number[];
  operatorId?: number;
  /** Shifts overlapping [from, to). */
  from?: Date;
  to?: Date;
}

/** The part of a shift the standards cache needs. */
export interface ShiftWindow {
  id: number;
  machineId: number;
  elementTypeId: number;
  startsAt: Date;
  endsAt: Date;
}

/** Shifts with their operator. The database refuses overlapping shifts of a machine. */
export abstract class ShiftRepository {
  abstract list(filter: ShiftFilter, page: Page): Promise<PageResult<Shift>>;
  abstract findById(id: number): Promise<Shift | null>;
  /** CONFLICT naming the overlapping shift when the machine is taken then. */
  abstract create(fields: ShiftFields): Promise<Shift>;
  abstract save(id: number, fields: ShiftFields): Promise<Shift>;
  abstract delete(id: number): Promise<void>;
  /** Shifts of every machine that end after `after`. */
  abstract endingAfter(after: Date): Promise<ShiftWindow[]>;
  abstract countOfMachine(machineId: number): Promise<number>;
  abstract deleteOfMachine(machineId: number): Promise<void>;
}

export abstract class InstructionRepository {
  abstract list(page: Page): Promise<PageResult<Instruction>>;
  abstract findById(id: number): Promise<Instruction | null>;
  /** CONFLICT when the same text exists. */
  abstract create(text: string): Promise<Instruction>;
  abstract delete(id: number): Promise<void>;
}
