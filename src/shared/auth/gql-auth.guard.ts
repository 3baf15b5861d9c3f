import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import { ForbiddenError } from '../errors/domain-errors.js';
import { AuthenticationService, type AuthenticatedRequest } from './authentication.service.js';
import { PERMISSION_KEY, PUBLIC_KEY } from './decorators.js';
import type { Permission } from './permissions.js';

/**
 * The one guard for queries, mutations and subscriptions (global; HTTP routes too):
 * authenticates every operation not marked @Public, once however many root fields and
 * aliases it has, and checks each field's @RequirePermission. For subscriptions the request
 * is the one built per graphql-ws operation (graphql-context.ts), so a user disabled after
 * connecting is refused at the next operation; LiveSessionsService ends the running ones.
 */
@Injectable()
export class GqlAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly authentication: AuthenticationService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = this.requestOf(context);
    const user = await this.authentication.principalOf(request);
    request.user = user;
    const required = this.reflector.getAllAndOverride<Permission | undefined>(PERMISSION_KEY, targets);
    if (!required) return true;
    (request.requiredPermissions ??= new Set()).add(required);
    if (!user.permissions.has(required))
      throw new ForbiddenError(`Permission ${required} is required`, { permission: required });
    return true;
  }

  private requestOf(context: ExecutionContext): AuthenticatedRequest {
    return context.getType<GqlContextType>() === 'graphql'
      ? GqlExecutionContext.create(context).getContext().req
      : context.switchToHttp().getRequest();
  }
}
