import type { JwtService } from '@nestjs/jwt';
import type { Request } from 'express';
import type { Context as WsContext } from 'graphql-ws';
import type { AccessTokenClaims, PrincipalResolver } from '../auth/principal.js';
import { DomainError } from '../errors/domain-errors.js';

/** The graphql-ws socket (a `ws` WebSocket), as far as shared subscriptions write to it. */
export interface SubscriberSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
}

/** What graphql-ws keeps per socket once `connection_init` is accepted. */
export interface SocketExtra {
  authorization?: string;
  remoteAddress?: string;
  socket: SubscriberSocket & { close(code: number, reason: string): void };
  request: { socket: { remoteAddress?: string } };
}

/** A request-like object for every operation, so one guard serves HTTP and WebSocket alike. */
export interface GraphQLRequestContext {
  req: Pick<Request, 'headers' | 'ip'> & { user?: unknown };
}

export function buildGraphQLContext(input: { req?: Request } | WsContext<Record<string, unknown>, SocketExtra>) {
  if ('req' in input && input.req) return { req: input.req };
  const extra = (input as WsContext<Record<string, unknown>, SocketExtra>).extra;
  return {
    req: { headers: { authorization: extra.authorization }, ip: extra.request.socket.remoteAddress },
  } as GraphQLRequestContext;
}

export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;

/**
 * graphql-ws `onConnect`: the access token travels in `connection_init` as
 * `{ authorization: "Bearer …" }`. No or bad token → 4401; a user who may not connect → 4403.
 */
export function authenticateConnection(jwt: JwtService, principals: PrincipalResolver) {
  return async (connection: WsContext<Record<string, unknown> | undefined, unknown>): Promise<boolean> => {
    const ctx = connection as WsContext<Record<string, unknown>, SocketExtra>;
    const header = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
    const token = typeof header === 'string' ? /^Bearer (.+)$/i.exec(header)?.[1] : undefined;
    if (!token) return refuse(ctx, CLOSE_UNAUTHORIZED, 'Unauthorized');
    let claims: AccessTokenClaims;
    try {
      claims = await jwt.verifyAsync<AccessTokenClaims & object>(token);
    } catch {
      return refuse(ctx, CLOSE_UNAUTHORIZED, 'Unauthorized');
    }
    try {
      await principals.resolve(claims);
    } catch (e) {
      if (e instanceof DomainError) return refuse(ctx, CLOSE_FORBIDDEN, 'Forbidden');
      throw e;
    }
    ctx.extra.authorization = `Bearer ${token}`;
    return true;
  };
}

function refuse(ctx: WsContext<Record<string, unknown>, SocketExtra>, code: number, reason: string): false {
  ctx.extra.socket.close(code, reason);
  return false;
}
