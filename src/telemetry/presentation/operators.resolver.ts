import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { toPage } from '../../shared/graphql/pagination.js';
import { OperatorsService } from '../application/operators.service.js';
import { CreateOperatorInput, OperatorsArgs, UpdateOperatorInput } from './shifts.inputs.js';
import { OperatorDeletionModel, OperatorModel, OperatorPage } from './shifts.models.js';

@Resolver(() => OperatorModel)
export class OperatorsResolver {
  constructor(private readonly service: OperatorsService) {}

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Query(() => OperatorPage, { description: 'Operators by number.' })
  async operators(@Args() { offset, limit, ...filter }: OperatorsArgs) {
    return toPage(await this.service.list(filter, { offset, limit }));
  }

  @RequirePermission(PERMISSIONS.SHIFTS_WRITE)
  @Mutation(() => OperatorModel, { description: 'Refused (CONFLICT) when the number is taken.' })
  createOperator(@Args('input') input: CreateOperatorInput) {
    return this.service.create(input);
  }

  @RequirePermission(PERMISSIONS.SHIFTS_WRITE)
  @Mutation(() => OperatorModel)
  updateOperator(@Args('id', { type: () => Int }) id: number, @Args('input') input: UpdateOperatorInput) {
    return this.service.update(id, input);
  }

  @RequirePermission(PERMISSIONS.SHIFTS_WRITE)
  @Mutation(() => OperatorDeletionModel, {
    description: 'Deletes the operator, or deactivates them when they have shifts (which keep referring to them).',
  })
  deleteOperator(@Args('id', { type: () => Int }) id: number) {
    return this.service.delete(id);
  }
}
