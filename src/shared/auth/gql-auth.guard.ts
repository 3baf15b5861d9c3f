import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import { ForbiddenError } from '../errors/domain-errors.js';
import { PERMISSION_KEY, PUBLIC_KEY } from './decorators.js';
import { JwtStrategy } from './jwt.strategy.js';
import type { Permission } from './permissions.js';

/**
 * The one guard for queries, mutations and subscriptions (global; HTTP routes too):
 * authenticates every operation not marked @Public and checks its @RequirePermission.
 * For subscriptions the request is the one built from `connection_init` (see
 * graphql-context.ts), so a user disabled after connecting is refused at the next operation.
 */
@Injectable()
export class GqlAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtStrategy,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = this.requestOf(context);
    const user = await this.jwt.authenticate(request);
    request.user = user;
    const required = this.reflector.getAllAndOverride<Permission | undefined>(PERMISSION_KEY, targets);
    if (required && !user.permissions.has(required))
      throw new ForbiddenError(`Permission ${required} is required`, { permission: required });
    return true;
  }

  private requestOf(context: ExecutionContext) {
    return context.getType<GqlContextType>() === 'graphql'
      ? GqlExecutionContext.create(context).getContext().req
      : context.switchToHttp().getRequest();
  }
}
