import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { MachinesService } from '../application/machines.service.js';
import { ElementTypeModel } from './machines.models.js';
import { CreateElementTypeInput, UpdateElementTypeInput } from './machines.inputs.js';

@Resolver(() => ElementTypeModel)
export class ElementTypesResolver {
  constructor(private readonly service: MachinesService) {}

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Query(() => [ElementTypeModel])
  elementTypes(@Args('includeInactive', { defaultValue: false }) includeInactive: boolean) {
    return this.service.listElementTypes(includeInactive);
  }

  @RequirePermission(PERMISSIONS.MACHINES_WRITE)
  @Mutation(() => ElementTypeModel)
  createElementType(@Args('input') input: CreateElementTypeInput) {
    return this.service.createElementType(input);
  }

  @RequirePermission(PERMISSIONS.MACHINES_WRITE)
  @Mutation(() => ElementTypeModel)
  updateElementType(@Args('id', { type: () => Int }) id: number, @Args('input') input: UpdateElementTypeInput) {
    return this.service.updateElementType(id, input);
  }

  @RequirePermission(PERMISSIONS.MACHINES_WRITE)
  @Mutation(() => ElementTypeModel, {
    description: 'Deactivates the standard (active = false): shifts keep the standard they were measured against.',
  })
  deleteElementType(@Args('id', { type: () => Int }) id: number) {
    return this.service.deleteElementType(id);
  }
}
