import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, QueryFailedError, type Repository } from 'typeorm';
import { ConflictError, NotFoundError } from '../../shared/errors/domain-errors.js';
import { translateUniqueViolation } from '../../shared/database/unique-violation.js';
import type { PageResult } from '../../shared/graphql/pagination.js';
import type { Instruction, Operator, OperatorFields, Shift, ShiftFields } from '../domain/shift.js';
import {
  InstructionRepository,
  OperatorRepository,
  ShiftRepository,
  type OperatorFilter,
  type ShiftFilter,
  type ShiftWindow,
} from '../application/shifts.ports.js';
import { InstructionOrmEntity, OperatorOrmEntity, ShiftOrmEntity } from './telemetry.orm-entities.js';
import { escapeLike } from '../../shared/database/escape-like.js';

type Page = { offset: number; limit: number };

const EXCLUSION_VIOLATION = '23P01';
const FOREIGN_KEY_VIOLATION = '23503';

function driverErrorOf(e: unknown): { code?: string; constraint?: string } | undefined {
  return e instanceof QueryFailedError ? (e.driverError as { code?: string; constraint?: string }) : undefined;
}

@Injectable()
export class TypeormOperatorRepository extends OperatorRepository {
  constructor(@InjectRepository(OperatorOrmEntity) private readonly repo: Repository<OperatorOrmEntity>) {
    super();
  }

  async list(filter: OperatorFilter, page: Page): Promise<PageResult<Operator>> {
    const query = this.repo
      .createQueryBuilder('operator')
      .orderBy('operator.number', 'ASC')
      .skip(page.offset)
      .take(page.limit);
    if (filter.text)
      query.andWhere(
        new Brackets((q) =>
          q
            .where('operator.name ILIKE :text', { text: `%${escapeLike(filter.text!)}%` })
            .orWhere('operator.qualification ILIKE :text'),
        ),
      );
    if (filter.active !== undefined) query.andWhere('operator.active = :active', { active: filter.active });
    const [items, totalCount] = await query.getManyAndCount();
    return { items, totalCount, ...page };
  }

  findById(id: number): Promise<Operator | null> {
    return this.repo.findOneBy({ id });
  }

  create(fields: OperatorFields): Promise<Operator> {
    return translateUniqueViolation(this.repo.save(this.repo.create(fields)), OPERATOR_CONSTRAINTS);
  }

  save(operator: Operator): Promise<Operator> {
    return translateUniqueViolation(this.repo.save(this.repo.create(operator)), OPERATOR_CONSTRAINTS);
  }

  async deleteUnreferenced(id: number): Promise<boolean> {
    try {
      await this.repo.delete({ id });
      return true;
    } catch (e) {
      if (driverErrorOf(e)?.code === FOREIGN_KEY_VIOLATION) return false;
      throw e;
    }
  }
}

const OPERATOR_CONSTRAINTS = {
  UQ_operators_number: { field: 'number', message: 'An operator with this number already exists' },
};

@Injectable()
export class TypeormShiftRepository extends ShiftRepository {
  constructor(@InjectRepository(ShiftOrmEntity) private readonly repo: Repository<ShiftOrmEntity>) {
    super();
  }

  async list(filter: ShiftFilter, page: Page): Promise<PageResult<Shift>> {
    const query = this.withOperator()
      .orderBy('shift.startsAt', 'DESC')
      .addOrderBy('shift.id', 'DESC')
      .skip(page.offset)
      .take(page.limit);
    if (filter.machineIds) query.andWhere('shift.machine_id IN (:...machineIds)', { machineIds: filter.machineIds });
    if (filter.operatorId !== undefined)
      query.andWhere('shift.operator_id = :operatorId', { operatorId: filter.operatorId });
    if (filter.from) query.andWhere('shift.ends_at > :from', { from: filter.from });
    if (filter.to) query.andWhere('shift.starts_at < :to', { to: filter.to });
    const [rows, totalCount] = await query.getManyAndCount();
    return { items: rows.map(toShift), totalCount, ...page };
  }

  async findById(id: number): Promise<Shift | null> {
    const row = await this.withOperator().where('shift.id = :id', { id }).getOne();
    return row && toShift(row);
  }

  async create(fields: ShiftFields): Promise<Shift> {
    const saved = await this.refusingOverlaps(this.repo.save(this.repo.create(fields)), fields, null);
    return (await this.findById(saved.id))!;
  }

  async save(id: number, fields: ShiftFields): Promise<Shift> {
    await this.refusingOverlaps(this.repo.update({ id }, fields), fields, id);
    const saved = await this.findById(id);
    if (!saved) throw new NotFoundError('Shift', id);
    return saved;
  }

  async delete(id: number): Promise<void> {
    await this.repo.delete({ id });
  }

  async endingAfter(after: Date): Promise<ShiftWindow[]> {
    const rows = await this.repo
      .createQueryBuilder('shift')
      .select(['shift.id', 'shift.machineId', 'shift.elementTypeId', 'shift.startsAt', 'shift.endsAt'])
      .where('shift.ends_at > :after', { after })
      .orderBy('shift.startsAt', 'ASC')
      .getMany();
    return rows.map(({ id, machineId, elementTypeId, startsAt, endsAt }) => ({
      id,
      machineId,
      elementTypeId,
      startsAt,
      endsAt,
    }));
  }

  countOfMachine(machineId: number): Promise<number> {
    return this.repo.countBy({ machineId });
  }

  async deleteOfMachine(machineId: number): Promise<void> {
    await this.repo.delete({ machineId });
  }

  private withOperator() {
    return this.repo.createQueryBuilder('shift').innerJoinAndSelect('shift.operator', 'operator');
  }

  /** The exclusion constraint refuses an overlap; the answer names the shift in the way. */
  private async refusingOverlaps<T>(work: Promise<T>, fields: ShiftFields, ownId: number | null): Promise<T> {
    try {
      return await work;
    } catch (e) {
      const driverError = driverErrorOf(e);
      if (driverError?.code !== EXCLUSION_VIOLATION || driverError.constraint !== 'EX_shifts_no_overlap') throw e;
      const other = await this.withOperator()
        .where('shift.machine_id = :machineId', { machineId: fields.machineId })
        .andWhere('shift.starts_at < :endsAt AND shift.ends_at > :startsAt', fields)
        .andWhere(ownId === null ? 'TRUE' : 'shift.id <> :ownId', { ownId })
        .orderBy('shift.startsAt', 'ASC')
        .getOne();
      throw new ConflictError(
        other
          ? `The machine already has shift ${other.id} (operator ${(other.operator as OperatorOrmEntity).name}) ` +
              `from ${other.startsAt.toISOString()} to ${other.endsAt.toISOString()}, overlapping this one`
          : 'The machine already has a shift overlapping this one',
        { field: 'startsAt', conflictingShiftId: other?.id ?? null },
      );
    }
  }
}

function toShift(row: ShiftOrmEntity): Shift {
  const { machine: _machine, elementType: _elementType, operator, ...fields } = row;
  return { ...fields, operator: operator as OperatorOrmEntity };
}

@Injectable()
export class TypeormInstructionRepository extends InstructionRepository {
  constructor(@InjectRepository(InstructionOrmEntity) private readonly repo: Repository<InstructionOrmEntity>) {
    super();
  }

  async list(page: Page): Promise<PageResult<Instruction>> {
    const [items, totalCount] = await this.repo.findAndCount({
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: page.offset,
      take: page.limit,
    });
    return { items, totalCount, ...page };
  }

  findById(id: number): Promise<Instruction | null> {
    return this.repo.findOneBy({ id });
  }

  create(text: string): Promise<Instruction> {
    return translateUniqueViolation(this.repo.save(this.repo.create({ text })), {
      UQ_instructions_text: { field: 'text', message: 'This instruction exists already' },
    });
  }

  async delete(id: number): Promise<void> {
    await this.repo.delete({ id });
  }
}
