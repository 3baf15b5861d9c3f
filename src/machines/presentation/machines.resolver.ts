import { Args, Float, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { toPage } from '../../shared/graphql/pagination.js';
import { MachinesService } from '../application/machines.service.js';
import { hoursOf, type Machine } from '../domain/machine.js';
import { MachineDeletionReportModel, MachineModel, MachinePage } from './machines.models.js';
import { CreateMachineInput, MachinesArgs, UpdateMachineInput } from './machines.inputs.js';

@Resolver(() => MachineModel)
export class MachinesResolver {
  constructor(private readonly service: MachinesService) {}

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Query(() => MachinePage)
  async machines(@Args() { offset, limit, ...filter }: MachinesArgs) {
    return toPage(await this.service.list(filter, { offset, limit }));
  }

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Query(() => MachineModel)
  machine(@Args('code') code: string) {
    return this.service.get(code);
  }

  @RequirePermission(PERMISSIONS.MACHINES_WRITE)
  @Mutation(() => MachineModel, { description: 'Creates a machine, with its axes and tools if given.' })
  createMachine(@Args('input') input: CreateMachineInput) {
    return this.service.create(input);
  }

  @RequirePermission(PERMISSIONS.MACHINES_WRITE)
  @Mutation(() => MachineModel)
  updateMachine(@Args('code') code: string, @Args('input') input: UpdateMachineInput) {
    return this.service.update(code, input);
  }

  @RequirePermission(PERMISSIONS.MACHINES_WRITE)
  @Mutation(() => MachineDeletionReportModel, {
    description: 'Deletes a machine with its axes, tools, samples and everything else recorded about it.',
  })
  deleteMachine(@Args('code') code: string) {
    return this.service.delete(code);
  }

  @ResolveField(() => Float)
  hours(@Parent() machine: Machine) {
    return hoursOf(machine.usageSeconds);
  }
}
