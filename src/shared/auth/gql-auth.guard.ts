import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import { AuthGuard } from '@nestjs/passport';
import { DomainError, ForbiddenError, UnauthenticatedError } from '../errors/domain-errors.js';
import { PERMISSION_KEY, PUBLIC_KEY } from './decorators.js';
import type { Permission } from './permissions.js';
import type { Principal } from './principal.js';

/**
 * The one guard for queries, mutations and subscriptions (global; HTTP routes too):
 * authenticates every operation not marked @Public and checks its @RequirePermission. For subscriptions the
 * request is the one built from `connection_init` (see graphql-context.ts), so a user
 * disabled after connecting is refused at the next operation.
 */
@Injectable()
export class GqlAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override getRequest(context: ExecutionContext) {
    return context.getType<GqlContextType>() === 'graphql'
      ? GqlExecutionContext.create(context).getContext().req
      : context.switchToHttp().getRequest();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    await super.canActivate(context);
    const required = this.reflector.getAllAndOverride<Permission | undefined>(PERMISSION_KEY, targets);
    const user = this.getRequest(context).user as Principal;
    if (required && !user.permissions.has(required))
      throw new ForbiddenError(`Permission ${required} is required`, { permission: required });
    return true;
  }

  override handleRequest<T>(error: unknown, user: T, info: unknown): T {
    if (error instanceof DomainError) throw error;
    if (error || !user) throw new UnauthenticatedError(describeTokenProblem(info));
    return user;
  }
}

function describeTokenProblem(info: unknown): string {
  const name = (info as Error | undefined)?.name;
  if (name === 'TokenExpiredError') return 'Access token expired';
  if (name === 'JsonWebTokenError') return 'Access token invalid';
  return 'Authentication required';
}
