import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../../shared/errors/domain-errors.js';
import type { PageResult } from '../../shared/graphql/pagination.js';
import { checkOperator, OPERATOR_DEFAULTS, type Operator, type OperatorFields } from '../domain/shift.js';
import { OperatorRepository, type OperatorFilter } from './shifts.ports.js';

export type CreateOperatorCommand = Pick<OperatorFields, 'name' | 'number'> & Partial<OperatorFields>;
export type UpdateOperatorCommand = Partial<OperatorFields>;

/** Deleting an operator who worked shifts keeps them (deactivated) for those shifts' records. */
export type OperatorDeletion = { operator: Operator; outcome: 'DELETED' | 'DEACTIVATED' };

/** Operators (welders) of the machines. */
@Injectable()
export class OperatorsService {
  constructor(private readonly operators: OperatorRepository) {}

  list(filter: OperatorFilter, page: { offset: number; limit: number }): Promise<PageResult<Operator>> {
    return this.operators.list(filter, page);
  }

  async get(id: number): Promise<Operator> {
    const operator = await this.operators.findById(id);
    if (!operator) throw new NotFoundError('Operator', id);
    return operator;
  }

  create(command: CreateOperatorCommand): Promise<Operator> {
    return this.operators.create(
      checkOperator({ ...OPERATOR_DEFAULTS, ...withoutUndefined(command) } as OperatorFields),
    );
  }

  async update(id: number, command: UpdateOperatorCommand): Promise<Operator> {
    const operator = await this.get(id);
    const fields = checkOperator({ ...operator, ...withoutUndefined(command) });
    return this.operators.save({ ...operator, ...fields });
  }

  /** Deletes the operator, or deactivates them when shifts refer to them. */
  async delete(id: number): Promise<OperatorDeletion> {
    const operator = await this.get(id);
    if (await this.operators.deleteUnreferenced(id)) return { operator, outcome: 'DELETED' };
    return { operator: await this.operators.save({ ...operator, active: false }), outcome: 'DEACTIVATED' };
  }
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
