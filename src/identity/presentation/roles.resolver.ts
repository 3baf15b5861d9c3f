import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { RolesService } from '../application/roles.service.js';
import { RoleModel } from './identity.models.js';
import { CreateRoleInput, UpdateRoleInput } from './identity.inputs.js';

@Resolver(() => RoleModel)
export class RolesResolver {
  constructor(private readonly service: RolesService) {}

  @RequirePermission(PERMISSIONS.ROLES_READ)
  @Query(() => [RoleModel])
  roles() {
    return this.service.list();
  }

  @RequirePermission(PERMISSIONS.ROLES_WRITE)
  @Mutation(() => RoleModel)
  createRole(@Args('input') input: CreateRoleInput) {
    return this.service.create(input);
  }

  @RequirePermission(PERMISSIONS.ROLES_WRITE)
  @Mutation(() => RoleModel)
  updateRole(@Args('id', { type: () => ID }) id: string, @Args('input') input: UpdateRoleInput) {
    return this.service.update(id, input);
  }

  @RequirePermission(PERMISSIONS.ROLES_WRITE)
  @Mutation(() => RoleModel)
  deleteRole(@Args('id', { type: () => ID }) id: string) {
    return this.service.delete(id);
  }
}
