import type { Request } from 'express';
import type { ExecutionArgs, ExecutionResult } from 'graphql';
import type { Context as WsContext } from 'graphql-ws';
import type { AuthenticationService } from '../auth/authentication.service.js';
import type { LiveSession, LiveSessionsService, SessionRequest } from '../auth/live-sessions.service.js';
import type { AccessTokenClaims } from '../auth/principal.js';
import { ServiceUnavailableError } from '../errors/domain-errors.js';

/** The graphql-ws socket (a `ws` WebSocket), as far as shared subscriptions write to it. */
export interface SubscriberSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
}

/** What graphql-ws keeps per socket once `connection_init` is accepted. */
export interface SocketExtra {
  session?: LiveSession;
  socket: SubscriberSocket & { close(code: number, reason: string): void };
  request: { socket: { remoteAddress?: string } };
}

/** A request-like object for every operation, so one guard serves HTTP and WebSocket alike. */
export interface GraphQLRequestContext {
  req: Pick<Request, 'headers' | 'ip'> & SessionRequest;
}

type WsConnection = WsContext<Record<string, unknown>, SocketExtra>;

/** Over graphql-ws, a new request per operation: each is authenticated again, and belongs to its session. */
export function buildGraphQLContext(input: { req?: Request } | WsConnection) {
  if ('req' in input && input.req) return { req: input.req };
  const { session, request } = (input as WsConnection).extra;
  return {
    req: {
      headers: { authorization: session?.authorization },
      ip: request.socket.remoteAddress,
      session,
      sessionRevision: session?.revision,
    },
  } as GraphQLRequestContext;
}

/**
 * Close codes of graphql-ws connections: no or bad token → 4401 (graphql-ws clients do not
 * retry); a user who may not connect, or who lost access while connected (disabled, deleted,
 * logged out everywhere) → 4403; the user could not be checked because a dependency is down
 * → 4503, after which a client should reconnect with the same token.
 */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;
export const CLOSE_UNAVAILABLE = 4503;

/**
 * graphql-ws `onConnect`: the access token travels in `connection_init` as
 * `{ authorization: "Bearer …" }`. The connection becomes a session that access changes end.
 */
export function authenticateConnection(authentication: AuthenticationService, sessions: LiveSessionsService) {
  return async (connection: WsContext<Record<string, unknown> | undefined, unknown>): Promise<boolean> => {
    const ctx = connection as WsConnection;
    const authorization = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
    let claims: AccessTokenClaims;
    try {
      claims = await authentication.verify(authorization);
    } catch {
      return refuse(ctx, CLOSE_UNAUTHORIZED, 'Unauthorized');
    }
    const socket = ctx.extra.socket;
    const session = sessions.open(claims.sub, authorization as string, (end) =>
      end === 'unavailable'
        ? socket.close(CLOSE_UNAVAILABLE, 'Service unavailable')
        : socket.close(CLOSE_FORBIDDEN, 'Forbidden'),
    );
    try {
      await authentication.resolve(claims);
    } catch (error) {
      sessions.forget(session);
      if (error instanceof ServiceUnavailableError) return refuse(ctx, CLOSE_UNAVAILABLE, 'Service unavailable');
      return refuse(ctx, CLOSE_FORBIDDEN, 'Forbidden');
    }
    ctx.extra.session = session;
    return true;
  };
}

/** graphql-ws `onClose`: the socket is gone, and so is its session. */
export function forgetConnection(sessions: LiveSessionsService) {
  return (connection: WsContext<Record<string, unknown> | undefined, unknown>): void => {
    const session = (connection as WsConnection).extra.session;
    if (session) sessions.forget(session);
  };
}

type Subscribe = (args: ExecutionArgs) => Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;

/** graphql-ws `subscribe`: a started subscription joins its session, so that an access change can end it. */
export function watchSubscriptions(sessions: LiveSessionsService, subscribe: Subscribe): Subscribe {
  return async (args) => {
    const result = await subscribe(args);
    if (!(Symbol.asyncIterator in result)) return result;
    return sessions.watch((args.contextValue as GraphQLRequestContext).req, result);
  };
}

function refuse(ctx: WsConnection, code: number, reason: string): false {
  ctx.extra.socket.close(code, reason);
  return false;
}
