import { Injectable } from '@nestjs/common';
import { ExtractJwt, Strategy, type VerifiedCallback } from 'passport-jwt';
import { AppConfig } from '../../config/app-config.js';
import { DomainError, UnauthenticatedError } from '../errors/domain-errors.js';
import { PrincipalResolver, type AccessTokenClaims, type Principal } from './principal.js';

interface TokenRequest {
  headers: { authorization?: string | string[] };
}

/**
 * Verifies the bearer token with passport-jwt and resolves the caller. Used per app
 * instance, not through passport's process-wide strategy registry: two instances in one
 * process (the cross-instance tests) must not verify with each other's database.
 */
@Injectable()
export class JwtStrategy {
  private readonly strategy: Strategy;

  constructor(
    config: AppConfig,
    private readonly principals: PrincipalResolver,
  ) {
    this.strategy = new Strategy(
      {
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        secretOrKey: config.JWT_SECRET,
        algorithms: ['HS256'],
        ignoreExpiration: false,
      },
      (claims: AccessTokenClaims, done: VerifiedCallback) =>
        this.principals.resolve(claims).then(
          (principal) => done(null, principal),
          (error) => done(error, false),
        ),
    );
  }

  /** The caller of a request, or an UnauthenticatedError saying what is wrong with its token. */
  authenticate(request: TokenRequest): Promise<Principal> {
    return new Promise((resolve, reject) => {
      // passport's contract: a strategy reports through success/fail/error set on the instance.
      const attempt = Object.assign(Object.create(this.strategy) as Strategy, {
        success: (principal: Principal) => resolve(principal),
        fail: (info: unknown) => reject(new UnauthenticatedError(describeTokenProblem(info))),
        error: (error: unknown) => reject(error instanceof DomainError ? error : new UnauthenticatedError()),
      });
      attempt.authenticate(request as never);
    });
  }
}

function describeTokenProblem(info: unknown): string {
  const name = (info as Error | undefined)?.name;
  if (name === 'TokenExpiredError') return 'Access token expired';
  if (name === 'JsonWebTokenError') return 'Access token invalid';
  return 'Authentication required';
}
