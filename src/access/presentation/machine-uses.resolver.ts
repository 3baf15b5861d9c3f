import { Args, Float, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { UsesAdminService } from '../application/uses-admin.service.js';
import type { Use } from '../domain/use.js';
import { MachineUseModel, MachineUsePage } from './access.models.js';
import { CreateMachineUseInput, MachineUsesArgs, UpdateMachineUseInput } from './access.inputs.js';

@Resolver(() => MachineUseModel)
export class MachineUsesResolver {
  constructor(private readonly service: UsesAdminService) {}

  @RequirePermission(PERMISSIONS.ACCESS_READ)
  @Query(() => MachineUsePage, { description: 'Uses of machines, newest start first.' })
  machineUses(@Args() { offset, limit, ...query }: MachineUsesArgs) {
    return this.service.list(query, { offset, limit });
  }

  @RequirePermission(PERMISSIONS.ACCESS_WRITE)
  @Mutation(() => MachineUseModel, {
    description: 'Records a use by hand; CONFLICT for a second open use of a machine.',
  })
  createMachineUse(@Args('input') input: CreateMachineUseInput) {
    return this.service.create(input);
  }

  @RequirePermission(PERMISSIONS.ACCESS_WRITE)
  @Mutation(() => MachineUseModel, { description: 'Corrects a use (user, start, end).' })
  updateMachineUse(@Args('id', { type: () => ID }) id: string, @Args('input') input: UpdateMachineUseInput) {
    return this.service.update(id, input);
  }

  @RequirePermission(PERMISSIONS.ACCESS_WRITE)
  @Mutation(() => MachineUseModel, {
    description: "Deletes a use; with correctMachineHours, takes its seconds off the machine's hours.",
  })
  deleteMachineUse(
    @Args('id', { type: () => ID }) id: string,
    @Args('correctMachineHours', { nullable: true, defaultValue: false }) correctMachineHours: boolean,
  ) {
    return this.service.delete(id, correctMachineHours);
  }

  @ResolveField(() => Float)
  durationSeconds(@Parent() use: Use) {
    return Math.max(0, ((use.endedAt ?? new Date()).getTime() - use.startedAt.getTime()) / 1000);
  }
}
