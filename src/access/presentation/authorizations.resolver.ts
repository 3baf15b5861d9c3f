import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { AuthorizationsService } from '../application/authorizations.service.js';
import { AuthorizationModel, AuthorizationPage, BulkAuthorizationResultModel } from './access.models.js';
import { AuthorizationsArgs, BulkAddAuthorizationsArgs, CreateAuthorizationInput } from './access.inputs.js';

@Resolver(() => AuthorizationModel)
export class AuthorizationsResolver {
  constructor(private readonly service: AuthorizationsService) {}

  @RequirePermission(PERMISSIONS.ACCESS_READ)
  @Query(() => AuthorizationPage, { description: 'Authorisations, newest first; optionally of one user or machine.' })
  authorizations(@Args() { offset, limit, ...filter }: AuthorizationsArgs) {
    return this.service.list(filter, { offset, limit });
  }

  @RequirePermission(PERMISSIONS.ACCESS_WRITE)
  @Mutation(() => AuthorizationModel, { description: 'CONFLICT when the user is already authorised on the machine.' })
  createAuthorization(@Args('input') { userId, machineCode }: CreateAuthorizationInput) {
    return this.service.create(userId, machineCode);
  }

  @RequirePermission(PERMISSIONS.ACCESS_WRITE)
  @Mutation(() => BulkAuthorizationResultModel, {
    description: 'Authorises many users on one machine; those already authorised are skipped and reported.',
  })
  bulkAddAuthorizations(@Args() { machineCode, userIds }: BulkAddAuthorizationsArgs) {
    return this.service.bulkAdd(machineCode, userIds);
  }

  @RequirePermission(PERMISSIONS.ACCESS_WRITE)
  @Mutation(() => AuthorizationModel)
  deleteAuthorization(@Args('id', { type: () => Int }) id: number) {
    return this.service.delete(id);
  }
}
