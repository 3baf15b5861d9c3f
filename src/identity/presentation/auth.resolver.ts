import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentUser, Public } from '../../shared/auth/decorators.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { GraphQLRequestContext } from '../../shared/graphql/graphql-context.js';
import { AuthService } from '../application/auth.service.js';
import { UsersService } from '../application/users.service.js';
import { AuthPayloadModel, MeModel } from './identity.models.js';
import { ChangePasswordInput, LoginInput } from './identity.inputs.js';

@Resolver()
export class AuthResolver {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Public()
  @Mutation(() => AuthPayloadModel, { description: 'Exchanges e-mail and password for tokens (throttled).' })
  login(@Args('input') input: LoginInput, @Context() { req }: GraphQLRequestContext) {
    return this.auth.login(input.email, input.password, req.ip ?? 'unknown');
  }

  @Public()
  @Mutation(() => AuthPayloadModel, { description: 'Rotates a refresh token into new tokens.' })
  refreshToken(@Args('token') token: string) {
    return this.auth.refresh(token);
  }

  @Mutation(() => Boolean, { description: 'Revokes one refresh token of the caller.' })
  logout(@Args('refreshToken') refreshToken: string, @CurrentUser() me: Principal) {
    return this.auth.logout(refreshToken, me.id);
  }

  @Mutation(() => Boolean, { description: 'Ends every session of the caller, access tokens included.' })
  logoutEverywhere(@CurrentUser() me: Principal) {
    return this.auth.logoutEverywhere(me.id);
  }

  @Mutation(() => AuthPayloadModel, {
    description: 'Changes the password; other sessions end, new tokens are returned.',
  })
  changePassword(@Args('input') input: ChangePasswordInput, @CurrentUser() me: Principal) {
    return this.auth.changePassword(me.id, input.currentPassword, input.newPassword);
  }

  @Query(() => MeModel)
  async me(@CurrentUser() me: Principal) {
    return { ...(await this.users.get(me.id)), permissions: [...me.permissions].sort() };
  }
}
