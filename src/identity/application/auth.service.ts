import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../../config/app-config.js';
import { ACCESS_CHANGED, type AccessChangedEvent } from '../../shared/auth/access-changes.js';
import { PrincipalResolver, type AccessTokenClaims, type Principal } from '../../shared/auth/principal.js';
import { InvalidInputError, UnauthenticatedError } from '../../shared/errors/domain-errors.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import { Transactions } from '../../shared/database/transactions.js';
import { isActive, normalizeEmail, permissionsOf, type User } from '../domain/user.js';
import {
  LoginThrottle,
  PasswordHasher,
  RefreshTokenRepository,
  UserRepository,
  type StoredRefreshToken,
} from './identity.ports.js';

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  user: User;
}

export const MIN_PASSWORD_LENGTH = 8;
const INVALID_CREDENTIALS = 'Invalid e-mail or password';

/** Login, token refresh and revocation, and the resolution of callers from access tokens. */
@Injectable()
export class AuthService implements PrincipalResolver {
  /** Verified when the e-mail is unknown, so that timing does not reveal which e-mails exist. */
  private readonly decoyHash: Promise<string>;

  constructor(
    private readonly users: UserRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottle,
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly pubsub: PubSub,
    private readonly transactions: Transactions,
  ) {
    this.decoyHash = hasher.hash(randomBytes(16).toString('hex'));
  }

  async login(email: string, password: string, clientAddress: string): Promise<IssuedTokens> {
    const normalized = normalizeEmail(email);
    await this.throttle.assertAllowed(normalized, clientAddress);
    const user = await this.users.findByEmail(normalized);
    const valid = await this.hasher.verify(password, user?.passwordHash ?? (await this.decoyHash));
    if (!user || !user.passwordHash || !valid) {
      await this.throttle.recordFailure(normalized, clientAddress);
      throw new UnauthenticatedError(INVALID_CREDENTIALS);
    }
    if (!isActive(user)) throw new UnauthenticatedError('This account is disabled');
    await this.throttle.reset(normalized);
    return this.issue(user);
  }

  /**
   * Rotates a refresh token, all or nothing. Presenting a revoked one revokes every session of
   * its user (a stolen token in use), except within a short grace after its rotation while its
   * successor is still unused: then the answer to that rotation was lost on its way (the service
   * stopped, the network dropped), and the unused successor is replaced instead.
   */
  async refresh(presented: string): Promise<IssuedTokens> {
    const stored = await this.findPresented(presented);
    const lostSuccessor = stored.revokedAt ? await this.unusedSuccessorInGrace(stored) : null;
    if (stored.revokedAt && !lostSuccessor) {
      await this.refreshTokens.revokeAllOf(stored.userId);
      throw new UnauthenticatedError('Refresh token already used or revoked');
    }
    if (stored.expiresAt.getTime() <= Date.now()) throw new UnauthenticatedError('Refresh token expired');
    const user = await this.users.findById(stored.userId);
    if (!user || !isActive(user)) throw new UnauthenticatedError('This account is disabled');
    return this.transactions.run(async () => {
      if (lostSuccessor && !(await this.refreshTokens.revoke(lostSuccessor.id)))
        throw new UnauthenticatedError('Refresh token already used');
      const { tokens, refreshTokenId } = await this.issueWithId(user);
      if (!(await this.refreshTokens.markReplaced(stored.id, refreshTokenId, lostSuccessor?.id ?? null)))
        throw new UnauthenticatedError('Refresh token already used');
      return tokens;
    });
  }

  private async unusedSuccessorInGrace(stored: StoredRefreshToken): Promise<StoredRefreshToken | null> {
    const graceMs = this.config.REFRESH_TOKEN_REUSE_GRACE_SECONDS * 1000;
    if (!stored.replacedBy || !stored.revokedAt || Date.now() - stored.revokedAt.getTime() > graceMs) return null;
    const successor = await this.refreshTokens.findById(stored.replacedBy);
    return successor && !successor.revokedAt ? successor : null;
  }

  async logout(presented: string, userId: string): Promise<boolean> {
    const stored = await this.findPresented(presented);
    if (stored.userId !== userId) throw new UnauthenticatedError('Refresh token invalid');
    await this.refreshTokens.revoke(stored.id);
    return true;
  }

  /** Ends every session: refresh tokens revoked, access tokens refused from now on. */
  async logoutEverywhere(userId: string): Promise<boolean> {
    const user = await this.requireUser(userId);
    await this.endAllSessions(user);
    return true;
  }

  async changePassword(userId: string, current: string, next: string): Promise<IssuedTokens> {
    const user = await this.requireUser(userId);
    if (!user.passwordHash || !(await this.hasher.verify(current, user.passwordHash)))
      throw new InvalidInputError('The current password is wrong', { currentPassword: 'does not match' });
    user.passwordHash = await this.hashPassword(next, 'newPassword');
    await this.endAllSessions(user);
    return this.issue(user);
  }

  async hashPassword(password: string, field = 'password'): Promise<string> {
    if (password.length < MIN_PASSWORD_LENGTH || password.length > 200)
      throw new InvalidInputError('Password too short or too long', {
        [field]: `must be ${MIN_PASSWORD_LENGTH} to 200 characters`,
      });
    return this.hasher.hash(password);
  }

  /**
   * Revokes all refresh tokens and invalidates all access tokens of a user (also when disabled
   * or deleted); their open subscriptions end on every replica.
   */
  async endAllSessions(user: User): Promise<void> {
    user.sessionVersion += 1;
    await this.users.save(user);
    await this.refreshTokens.revokeAllOf(user.id);
    await this.accessChanged([user.id]);
  }

  /** After a committed change that may take access away: every replica checks these users' open sessions again. */
  async accessChanged(userIds: string[]): Promise<void> {
    if (userIds.length) await this.pubsub.publish<AccessChangedEvent>(ACCESS_CHANGED, { userIds });
  }

  async resolve(claims: AccessTokenClaims): Promise<Principal> {
    const user = typeof claims.sub === 'string' ? await this.users.findById(claims.sub) : null;
    if (!user || !isActive(user)) throw new UnauthenticatedError('This account is disabled or deleted');
    if (user.sessionVersion !== claims.sv) throw new UnauthenticatedError('Session ended; log in again');
    return {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      cardUid: user.cardUid,
      roles: user.roles.map((r) => r.name),
      permissions: permissionsOf(user.roles),
    };
  }

  private async issue(user: User): Promise<IssuedTokens> {
    return (await this.issueWithId(user)).tokens;
  }

  private async issueWithId(user: User): Promise<{ tokens: IssuedTokens; refreshTokenId: string }> {
    const claims: AccessTokenClaims = { sub: user.id, sv: user.sessionVersion };
    const accessToken = await this.jwt.signAsync(claims);
    const expiresAt = new Date(Date.now() + this.config.JWT_ACCESS_TTL_SECONDS * 1000);
    const secret = randomBytes(32).toString('base64url');
    const stored = await this.refreshTokens.create({
      userId: user.id,
      tokenHash: sha256(secret),
      expiresAt: new Date(Date.now() + this.config.REFRESH_TOKEN_TTL_DAYS * 86_400_000),
    });
    return {
      tokens: { accessToken, refreshToken: `${stored.id}.${secret}`, expiresAt, user },
      refreshTokenId: stored.id,
    };
  }

  private async findPresented(presented: string) {
    const [id, secret] = presented.split('.');
    const stored = id && secret && /^[0-9a-f-]{36}$/.test(id) ? await this.refreshTokens.findById(id) : null;
    if (!stored || !sameHash(stored.tokenHash, sha256(secret))) throw new UnauthenticatedError('Refresh token invalid');
    return stored;
  }

  private async requireUser(id: string): Promise<User> {
    const user = await this.users.findById(id);
    if (!user) throw new UnauthenticatedError();
    return user;
  }
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
