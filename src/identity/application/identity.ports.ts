import type { PageResult } from '../../shared/graphql/pagination.js';
import type { Role, User } from '../domain/user.js';

export interface UserFilter {
  text?: string;
  role?: string;
  disabled?: boolean;
}

export interface NewUser {
  email: string;
  displayName: string;
  cardUid: string | null;
  passwordHash: string | null;
  disabled: boolean;
  roles: Role[];
}

/** Users that are not deleted; deleted users are only seen by `softDelete`. */
export abstract class UserRepository {
  abstract findById(id: string): Promise<User | null>;
  abstract findByEmail(email: string): Promise<User | null>;
  abstract findByCardUid(cardUid: string): Promise<User | null>;
  abstract list(filter: UserFilter, page: { offset: number; limit: number }): Promise<PageResult<User>>;
  abstract create(user: NewUser): Promise<User>;
  abstract save(user: User): Promise<User>;
  abstract countActiveAdmins(): Promise<number>;
  /** Display names by id, deleted users included (their history keeps their name). */
  abstract displayNames(ids: readonly string[]): Promise<Map<string, string>>;
}

export interface NewRole {
  name: string;
  description: string;
  permissions: string[];
  authorizeAll: boolean;
  canMaintain: boolean;
}

export abstract class RoleRepository {
  abstract list(): Promise<Role[]>;
  abstract findById(id: string): Promise<Role | null>;
  abstract findByNames(names: string[]): Promise<Role[]>;
  abstract create(role: NewRole): Promise<Role>;
  abstract save(role: Role): Promise<Role>;
  abstract delete(id: string): Promise<void>;
  abstract countHolders(id: string): Promise<number>;
  /** Users (not deleted) who hold the role. */
  abstract holderIds(id: string): Promise<string[]>;
}

export interface StoredRefreshToken {
  id: string;
  userId: string;
  tokenHash: string;
  expiresAt: Date;
  revokedAt: Date | null;
  /** The token a rotation replaced this one with; null when unused or revoked without one (logout). */
  replacedBy: string | null;
}

export type NewRefreshToken = Omit<StoredRefreshToken, 'id' | 'revokedAt' | 'replacedBy'>;

/** Joins the caller's transaction (Transactions), so that a rotation is all or nothing. */
export abstract class RefreshTokenRepository {
  abstract create(token: NewRefreshToken): Promise<StoredRefreshToken>;
  abstract findById(id: string): Promise<StoredRefreshToken | null>;
  /** Revokes the token unless already revoked; true when this call revoked it. */
  abstract revoke(id: string): Promise<boolean>;
  /**
   * Records that `id` was rotated to `successor`, revoking it: when it is unrevoked
   * (`previousSuccessor` null), or when it was last rotated to `previousSuccessor` (that answer
   * was lost). False when neither holds: another rotation came first.
   */
  abstract markReplaced(id: string, successor: string, previousSuccessor: string | null): Promise<boolean>;
  abstract revokeAllOf(userId: string): Promise<void>;
}

export abstract class PasswordHasher {
  abstract hash(password: string): Promise<string>;
  abstract verify(password: string, hash: string): Promise<boolean>;
}

/** Counts failed logins per e-mail and per client address; refuses when either is over its limit. */
export abstract class LoginThrottle {
  abstract assertAllowed(email: string, clientAddress: string): Promise<void>;
  abstract recordFailure(email: string, clientAddress: string): Promise<void>;
  abstract reset(email: string): Promise<void>;
}
