import { Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { Counter } from 'prom-client';
import { DomainError, ServiceUnavailableError, UnauthenticatedError } from '../errors/domain-errors.js';
import { LogThrottle } from '../observability/log-throttle.js';
import { MetricsService } from '../observability/metrics.service.js';
import type { Permission } from './permissions.js';
import { PrincipalResolver, type AccessTokenClaims, type Principal } from './principal.js';

/** What authentication reads from and notes on a request: HTTP's, or the one built per graphql-ws operation. */
export interface AuthenticatedRequest {
  headers: { authorization?: string | string[] };
  user?: Principal;
  /** The permissions the guard required: what a running subscription keeps needing. */
  requiredPermissions?: Set<Permission>;
}

/** Seconds a client is told to wait before retrying while the caller cannot be resolved. */
const RETRY_AFTER_SECONDS = 2;
const UNAVAILABLE_LOG_INTERVAL_MS = 60_000;

/**
 * The caller could not be resolved because a dependency failed. Carries its HTTP status the
 * way graphql-js and Apollo read it (an error's `extensions` become the located error's, and
 * `extensions.http` sets the response status), so HTTP clients see 503 with Retry-After.
 */
export class AuthenticationUnavailableError extends ServiceUnavailableError {
  readonly extensions = {
    http: { status: 503, headers: new Map([['retry-after', String(RETRY_AFTER_SECONDS)]]) },
  };

  constructor() {
    super('The service cannot check credentials right now; retry shortly', RETRY_AFTER_SECONDS);
  }
}

/**
 * The one verification path, for HTTP and graphql-ws alike: a bearer access token signed
 * with HS256 and carrying an expiry, then the user it names (identity's PrincipalResolver).
 * Only a problem with the token or the user is UNAUTHENTICATED; a failing dependency is
 * SERVICE_UNAVAILABLE, retryable, so that clients keep their good tokens.
 */
@Injectable()
export class AuthenticationService {
  private readonly logger = new Logger('Authentication');
  private readonly unavailableLog = new LogThrottle(UNAVAILABLE_LOG_INTERVAL_MS);
  /** One authentication per request however many fields and aliases ask: kept with the request object. */
  private readonly byRequest = new WeakMap<AuthenticatedRequest, Promise<Principal>>();
  private readonly outcomes: Counter<'outcome'>;

  constructor(
    private readonly jwt: JwtService,
    private readonly principals: PrincipalResolver,
    metrics: MetricsService,
  ) {
    this.outcomes = metrics.counter(
      'plantgraph_auth_authentications_total',
      'Callers authenticated (once per operation, or per graphql-ws connection and access change), by outcome',
      ['outcome'],
    );
  }

  /** The caller of a request, authenticated on the first ask and remembered with the request. */
  principalOf(request: AuthenticatedRequest): Promise<Principal> {
    let principal = this.byRequest.get(request);
    if (!principal) {
      principal = this.authenticate(request.headers.authorization);
      this.byRequest.set(request, principal);
    }
    return principal;
  }

  /** The caller named by an `Authorization: Bearer …` value. */
  async authenticate(authorization: unknown): Promise<Principal> {
    return this.resolve(await this.verify(authorization));
  }

  /** The claims of a valid access token; UnauthenticatedError saying what is wrong otherwise. */
  async verify(authorization: unknown): Promise<AccessTokenClaims> {
    const token = typeof authorization === 'string' ? /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] : undefined;
    if (!token) return this.refuse(new UnauthenticatedError());
    let claims: Partial<AccessTokenClaims> & { exp?: unknown };
    try {
      claims = await this.jwt.verifyAsync(token, { algorithms: ['HS256'] });
    } catch (error) {
      const expired = (error as Error).name === 'TokenExpiredError';
      return this.refuse(new UnauthenticatedError(expired ? 'Access token expired' : 'Access token invalid'));
    }
    // jsonwebtoken accepts a token without `exp`, which would never expire.
    if (typeof claims.exp !== 'number' || typeof claims.sub !== 'string' || !Number.isInteger(claims.sv))
      return this.refuse(new UnauthenticatedError('Access token invalid'));
    return { sub: claims.sub, sv: claims.sv! };
  }

  /** The user of verified claims: gone, disabled or logged out → UNAUTHENTICATED; a failing lookup → retryable. */
  async resolve(claims: AccessTokenClaims): Promise<Principal> {
    try {
      const principal = await this.principals.resolve(claims);
      this.outcomes.inc({ outcome: 'ok' });
      return principal;
    } catch (error) {
      if (error instanceof DomainError) return this.refuse(error);
      this.outcomes.inc({ outcome: 'unavailable' });
      const suppressed = this.unavailableLog.take('resolve');
      if (suppressed !== undefined)
        this.logger.error(
          { err: error, suppressed },
          'Callers cannot be authenticated: resolving the user failed (answered SERVICE_UNAVAILABLE)',
        );
      throw new AuthenticationUnavailableError();
    }
  }

  private refuse(error: DomainError): never {
    this.outcomes.inc({ outcome: 'refused' });
    throw error;
  }
}
