import { Args, Float, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { toPage } from '../../shared/graphql/pagination.js';
import { shiftDurationSeconds, type Shift } from '../domain/shift.js';
import { ShiftsService } from '../application/shifts.service.js';
import { CreateShiftInput, ShiftsArgs, UpdateShiftInput } from './shifts.inputs.js';
import { ShiftModel, ShiftPage } from './shifts.models.js';

@Resolver(() => ShiftModel)
export class ShiftsResolver {
  constructor(private readonly service: ShiftsService) {}

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Query(() => ShiftPage, { description: 'Shifts overlapping [from, to), newest first.' })
  async shifts(@Args() { offset, limit, ...query }: ShiftsArgs) {
    return toPage(await this.service.list(query, { offset, limit }));
  }

  @RequirePermission(PERMISSIONS.SHIFTS_WRITE)
  @Mutation(() => ShiftModel, { description: 'Refused (CONFLICT) when the machine has a shift overlapping this one.' })
  createShift(@Args('input') input: CreateShiftInput) {
    return this.service.create(input);
  }

  @RequirePermission(PERMISSIONS.SHIFTS_WRITE)
  @Mutation(() => ShiftModel)
  updateShift(@Args('id', { type: () => Int }) id: number, @Args('input') input: UpdateShiftInput) {
    return this.service.update(id, input);
  }

  @RequirePermission(PERMISSIONS.SHIFTS_WRITE)
  @Mutation(() => ShiftModel)
  deleteShift(@Args('id', { type: () => Int }) id: number) {
    return this.service.delete(id);
  }

  @ResolveField(() => String)
  machineCode(@Parent() shift: Shift) {
    return this.service.machineCodeOf(shift);
  }

  @ResolveField(() => Float)
  durationSeconds(@Parent() shift: Shift) {
    return shiftDurationSeconds(shift);
  }
}
