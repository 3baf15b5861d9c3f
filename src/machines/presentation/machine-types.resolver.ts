import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { MachinesService } from '../application/machines.service.js';
import { MachineTypeModel } from './machines.models.js';
import { CreateMachineTypeInput, UpdateMachineTypeInput } from './machines.inputs.js';

@Resolver(() => MachineTypeModel)
export class MachineTypesResolver {
  constructor(private readonly service: MachinesService) {}

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Query(() => [MachineTypeModel])
  machineTypes() {
    return this.service.listMachineTypes();
  }

  @RequirePermission(PERMISSIONS.MACHINES_WRITE)
  @Mutation(() => MachineTypeModel)
  createMachineType(@Args('input') input: CreateMachineTypeInput) {
    return this.service.createMachineType(input);
  }

  @RequirePermission(PERMISSIONS.MACHINES_WRITE)
  @Mutation(() => MachineTypeModel)
  updateMachineType(@Args('id', { type: () => Int }) id: number, @Args('input') input: UpdateMachineTypeInput) {
    return this.service.updateMachineType(id, input);
  }

  @RequirePermission(PERMISSIONS.MACHINES_WRITE)
  @Mutation(() => MachineTypeModel, { description: 'Refused (CONFLICT) while machines have this type.' })
  deleteMachineType(@Args('id', { type: () => Int }) id: number) {
    return this.service.deleteMachineType(id);
  }
}
