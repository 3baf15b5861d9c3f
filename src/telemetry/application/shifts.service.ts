import { Injectable } from '@nestjs/common';
import { MachinesService } from '../../machines/application/machines.service.js';
import { InvalidInputError, NotFoundError } from '../../shared/errors/domain-errors.js';
import type { PageResult } from '../../shared/graphql/pagination.js';
import { checkShiftTimes, SHIFT_DEFAULTS, type Shift, type ShiftFields } from '../domain/shift.js';
import { ShiftStandardsService } from './shift-standards.service.js';
import { OperatorRepository, ShiftRepository } from './shifts.ports.js';

type ShiftDetails = Omit<ShiftFields, 'machineId' | 'operatorId' | 'elementTypeId' | 'startsAt' | 'endsAt'>;

export type CreateShiftCommand = Pick<ShiftFields, 'operatorId' | 'elementTypeId' | 'startsAt' | 'endsAt'> &
  Partial<ShiftDetails> & { machineCode: string };
export type UpdateShiftCommand = Partial<CreateShiftCommand>;

export interface ShiftQuery {
  machineCodes?: readonly string[] | null;
  operatorId?: number | null;
  from?: Date | null;
  to?: Date | null;
}

/**
 * Shifts: an operator on a machine for a time window, welding an element type whose
 * standard the readings are checked against. Overlaps of a machine are refused by the
 * database (the repository turns that into a CONFLICT naming the other shift).
 */
@Injectable()
export class ShiftsService {
  constructor(
    private readonly shifts: ShiftRepository,
    private readonly operators: OperatorRepository,
    private readonly machines: MachinesService,
    private readonly standards: ShiftStandardsService,
  ) {
    machines.registerDeletionParticipant({
      what: 'shifts',
      count: (id) => this.shifts.countOfMachine(id),
      delete: async (id) => {
        await this.shifts.deleteOfMachine(id);
        await this.standards.shiftsChanged();
      },
    });
  }

  list(query: ShiftQuery, page: { offset: number; limit: number }): Promise<PageResult<Shift>> {
    const machineIds = query.machineCodes?.length
      ? this.machines.requireByCodes(query.machineCodes).map((m) => m.id)
      : undefined;
    if (query.from && query.to && query.to.getTime() <= query.from.getTime())
      throw new InvalidInputError('Empty window', { to: 'must be after from' });
    return this.shifts.list(
      {
        machineIds,
        operatorId: query.operatorId ?? undefined,
        from: query.from ?? undefined,
        to: query.to ?? undefined,
      },
      page,
    );
  }

  machineCodeOf(shift: Pick<Shift, 'machineId'>): string {
    return this.machines.codeOf(shift.machineId);
  }

  async get(id: number): Promise<Shift> {
    const shift = await this.shifts.findById(id);
    if (!shift) throw new NotFoundError('Shift', id);
    return shift;
  }

  async create(command: CreateShiftCommand): Promise<Shift> {
    const { machineCode, ...rest } = command;
    const fields: ShiftFields = {
      ...SHIFT_DEFAULTS,
      ...withoutUndefined(rest),
      machineId: this.machineId(machineCode),
    } as ShiftFields;
    checkShiftTimes(fields.startsAt, fields.endsAt);
    await this.assertActiveOperator(fields.operatorId);
    await this.assertActiveElementType(fields.elementTypeId);
    const shift = await this.shifts.create(fields);
    await this.standards.shiftsChanged();
    return shift;
  }

  /** A changed operator or element type must be active; unchanged ones may have been deactivated since. */
  async update(id: number, command: UpdateShiftCommand): Promise<Shift> {
    const shift = await this.get(id);
    const { machineCode, ...rest } = command;
    const fields: ShiftFields = {
      ...pickShiftFields(shift),
      ...withoutUndefined(rest),
      ...(machineCode !== undefined ? { machineId: this.machineId(machineCode) } : {}),
    };
    checkShiftTimes(fields.startsAt, fields.endsAt);
    if (fields.operatorId !== shift.operatorId) await this.assertActiveOperator(fields.operatorId);
    if (fields.elementTypeId !== shift.elementTypeId) await this.assertActiveElementType(fields.elementTypeId);
    const saved = await this.shifts.save(id, fields);
    await this.standards.shiftsChanged();
    return saved;
  }

  async delete(id: number): Promise<Shift> {
    const shift = await this.get(id);
    await this.shifts.delete(id);
    await this.standards.shiftsChanged();
    return shift;
  }

  private machineId(code: string): number {
    const machine = this.machines.findByCode(code);
    if (!machine) throw new InvalidInputError('Unknown machine', { machineCode: `no machine with code ${code}` });
    return machine.id;
  }

  private async assertActiveOperator(id: number): Promise<void> {
    const operator = await this.operators.findById(id);
    if (!operator?.active)
      throw new InvalidInputError('Unknown or inactive operator', {
        operatorId: operator ? `operator ${id} is inactive` : `no operator ${id}`,
      });
  }

  private async assertActiveElementType(id: number): Promise<void> {
    const type = await this.machines.getElementType(id).catch((e: unknown) => {
      if (e instanceof NotFoundError) return null;
      throw e;
    });
    if (!type?.active)
      throw new InvalidInputError('Unknown or inactive element type', {
        elementTypeId: type ? `element type ${id} is inactive` : `no element type ${id}`,
      });
  }
}

function pickShiftFields(shift: Shift): ShiftFields {
  const { id: _id, operator: _operator, createdAt: _createdAt, ...fields } = shift;
  return fields;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
