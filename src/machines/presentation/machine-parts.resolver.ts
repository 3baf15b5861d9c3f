import { Args, Int, Mutation, Resolver } from '@nestjs/graphql';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { MachinesService } from '../application/machines.service.js';
import { AxisModel, ToolModel } from './machines.models.js';
import { AxisInput, ToolInput, UpdateAxisInput, UpdateToolInput } from './machines.inputs.js';

/** Axes and tools of CNC machines; they are read through Machine.axes and Machine.tools. */
@Resolver()
export class MachinePartsResolver {
  constructor(private readonly service: MachinesService) {}

  @RequirePermission(PERMISSIONS.MACHINES_WRITE)
  @Mutation(() => AxisModel, { description: 'Adds an axis to a machine (each of X, Y, Z, A, C at most once).' })
  createAxis(@Args('machineCode') machineCode: string, @Args('input') input: AxisInput) {
    return this.service.createAxis(machineCode, input);
  }

  @RequirePermission(PERMISSIONS.MACHINES_WRITE)
  @Mutation(() => AxisModel)
  updateAxis(@Args('id', { type: () => Int }) id: number, @Args('input') input: UpdateAxisInput) {
    return this.service.updateAxis(id, input);
  }

  @RequirePermission(PERMISSIONS.MACHINES_WRITE)
  @Mutation(() => AxisModel)
  deleteAxis(@Args('id', { type: () => Int }) id: number) {
    return this.service.deleteAxis(id);
  }

  @RequirePermission(PERMISSIONS.MACHINES_WRITE)
  @Mutation(() => ToolModel, { description: 'Adds a tool to a machine (tool numbers are unique per machine).' })
  createTool(@Args('machineCode') machineCode: string, @Args('input') input: ToolInput) {
    return this.service.createTool(machineCode, input);
  }

  @RequirePermission(PERMISSIONS.MACHINES_WRITE)
  @Mutation(() => ToolModel)
  updateTool(@Args('id', { type: () => Int }) id: number, @Args('input') input: UpdateToolInput) {
    return this.service.updateTool(id, input);
  }

  @RequirePermission(PERMISSIONS.MACHINES_WRITE)
  @Mutation(() => ToolModel)
  deleteTool(@Args('id', { type: () => Int }) id: number) {
    return this.service.deleteTool(id);
  }
}
