import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { PageArgs, toPage } from '../../shared/graphql/pagination.js';
import { InstructionsService } from '../application/instructions.service.js';
import { CreateInstructionInput } from './shifts.inputs.js';
import { InstructionModel, InstructionPage } from './shifts.models.js';

@Resolver(() => InstructionModel)
export class InstructionsResolver {
  constructor(private readonly service: InstructionsService) {}

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Query(() => InstructionPage, { description: 'Instructions for operators, newest first.' })
  async instructions(@Args() page: PageArgs) {
    return toPage(await this.service.list(page));
  }

  @RequirePermission(PERMISSIONS.SHIFTS_WRITE)
  @Mutation(() => InstructionModel, { description: 'Refused (CONFLICT) when the same text exists.' })
  createInstruction(@Args('input') input: CreateInstructionInput) {
    return this.service.create(input.text);
  }

  @RequirePermission(PERMISSIONS.SHIFTS_WRITE)
  @Mutation(() => InstructionModel)
  deleteInstruction(@Args('id', { type: () => Int }) id: number) {
    return this.service.delete(id);
  }
}
