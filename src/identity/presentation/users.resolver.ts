import { Args, ID, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import { CurrentUser, RequirePermission } from '../../shared/auth/decorators.js';
import type { Principal } from '../../shared/auth/principal.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { toPage } from '../../shared/graphql/pagination.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import { USER_CHANGED, UsersService, type UserChangedEvent } from '../application/users.service.js';
import { UserChangedModel, UserModel, UserPage } from './identity.models.js';
import { CreateUserInput, UpdateUserInput, UsersArgs } from './identity.inputs.js';

@Resolver(() => UserModel)
export class UsersResolver {
  constructor(
    private readonly service: UsersService,
    private readonly pubsub: PubSub,
  ) {}

  @RequirePermission(PERMISSIONS.USERS_READ)
  @Query(() => UserPage)
  async users(@Args() { offset, limit, ...filter }: UsersArgs) {
    return toPage(await this.service.list(filter, { offset, limit }));
  }

  @RequirePermission(PERMISSIONS.USERS_READ)
  @Query(() => UserModel)
  user(@Args('id', { type: () => ID }) id: string) {
    return this.service.get(id);
  }

  @RequirePermission(PERMISSIONS.USERS_WRITE)
  @Mutation(() => UserModel)
  createUser(@Args('input') input: CreateUserInput, @CurrentUser() me: Principal) {
    return this.service.create(input, me);
  }

  @RequirePermission(PERMISSIONS.USERS_WRITE)
  @Mutation(() => UserModel)
  updateUser(
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: UpdateUserInput,
    @CurrentUser() me: Principal,
  ) {
    return this.service.update(id, input, me);
  }

  @RequirePermission(PERMISSIONS.USERS_WRITE)
  @Mutation(() => UserModel, { description: 'Soft delete: sessions end, e-mail and card are freed.' })
  deleteUser(@Args('id', { type: () => ID }) id: string, @CurrentUser() me: Principal) {
    return this.service.delete(id, me);
  }

  @RequirePermission(PERMISSIONS.USERS_READ)
  @Subscription(() => UserChangedModel, {
    description: 'Users created, updated or deleted; optionally only the given ids.',
    filter: (event: UserChangedEvent, { ids }: { ids?: string[] }) => !ids?.length || ids.includes(event.user.id),
    resolve: (event: UserChangedEvent) => event,
  })
  userChanged(@Args('ids', { type: () => [ID], nullable: true }) _ids?: string[]) {
    return this.pubsub.subscribe<UserChangedEvent>(USER_CHANGED);
  }
}
