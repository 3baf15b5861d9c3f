import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Permission } from './permissions.js';
import type { Principal } from './principal.js';

export const PUBLIC_KEY = 'plantgraph:public';
export const PERMISSION_KEY = 'plantgraph:permission';

/** The operation needs no token (login, refreshToken). Everything else does. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** The operation needs this permission (granted by any of the caller's roles). */
export const RequirePermission = (permission: Permission) => SetMetadata(PERMISSION_KEY, permission);

/** The authenticated caller of a query, mutation or subscription. */
export const CurrentUser = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal => GqlExecutionContext.create(context).getContext().req.user,
);
