import { Injectable } from '@nestjs/common';
import { ConflictError, ForbiddenError, InvalidInputError, NotFoundError } from '../../shared/errors/domain-errors.js';
import type { PageResult } from '../../shared/graphql/pagination.js';
import {
  exceedsActor,
  isActive,
  isAdmin,
  normalizeCardUid,
  normalizeEmail,
  type Role,
  type User,
} from '../domain/user.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import { AuthService } from './auth.service.js';
import { RoleRepository, UserRepository, type UserFilter } from './identity.ports.js';

export interface CreateUserCommand {
  email: string;
  displayName: string;
  password?: string | null;
  cardUid?: string | null;
  roles: string[];
  disabled?: boolean;
}

export type UpdateUserCommand = Partial<CreateUserCommand>;

/** Who asks for a change: their permissions bound the roles they may give or manage. */
export interface Actor {
  permissions: ReadonlySet<string>;
}

export const USER_CHANGED = 'identity.user-changed';
export type UserChangeKind = 'CREATED' | 'UPDATED' | 'DELETED';
/** Published on USER_CHANGED; carries no secret (it may travel through Redis). */
export interface UserChangedEvent {
  kind: UserChangeKind;
  user: Omit<User, 'passwordHash' | 'sessionVersion'>;
}

/** The user registry: administration of accounts, with the last-admin rule. */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UserRepository,
    private readonly roles: RoleRepository,
    private readonly auth: AuthService,
    private readonly pubsub: PubSub,
  ) {}

  list(filter: UserFilter, page: { offset: number; limit: number }): Promise<PageResult<User>> {
    return this.users.list(filter, page);
  }

  async get(id: string): Promise<User> {
    const user = await this.users.findById(id);
    if (!user) throw new NotFoundError('User', id);
    return user;
  }

  findByCardUid(cardUid: string): Promise<User | null> {
    return this.users.findByCardUid(normalizeCardUid(cardUid));
  }

  /** Names for lists of records that point at users (one query for a page of them). */
  displayNames(ids: readonly string[]): Promise<Map<string, string>> {
    return ids.length ? this.users.displayNames([...new Set(ids)]) : Promise.resolve(new Map());
  }

  async create(command: CreateUserCommand, actor: Actor): Promise<User> {
    const roles = await this.resolveRoles(command.roles);
    assertMayManage(actor, roles);
    const user = await this.users.create({
      email: normalizeEmail(command.email),
      displayName: requireDisplayName(command.displayName),
      cardUid: command.cardUid ? normalizeCardUid(command.cardUid) : null,
      passwordHash: command.password ? await this.auth.hashPassword(command.password) : null,
      disabled: command.disabled ?? false,
      roles,
    });
    await this.announce('CREATED', user);
    return user;
  }

  async update(id: string, command: UpdateUserCommand, actor: Actor): Promise<User> {
    const user = await this.get(id);
    const roles = command.roles ? await this.resolveRoles(command.roles) : user.roles;
    assertMayManage(actor, [...user.roles, ...roles]);
    const disabled = command.disabled ?? user.disabled;
    await this.assertKeepsAnAdmin(user, { ...user, roles, disabled }, 'disabled or demoted');
    if (command.email !== undefined) user.email = normalizeEmail(command.email);
    if (command.displayName !== undefined) user.displayName = requireDisplayName(command.displayName);
    if (command.cardUid !== undefined) user.cardUid = command.cardUid ? normalizeCardUid(command.cardUid) : null;
    if (command.password) user.passwordHash = await this.auth.hashPassword(command.password);
    user.roles = roles;
    user.disabled = disabled;
    const saved = await this.users.save(user);
    if (disabled || command.password) await this.auth.endAllSessions(saved);
    else if (command.roles) await this.auth.accessChanged([saved.id]);
    await this.announce('UPDATED', saved);
    return saved;
  }

  /** Soft delete: the account keeps its history but frees its e-mail and card, and its sessions end. */
  async delete(id: string, actor: Actor): Promise<User> {
    const user = await this.get(id);
    assertMayManage(actor, user.roles);
    await this.assertKeepsAnAdmin(user, { ...user, deletedAt: new Date() }, 'deleted');
    user.deletedAt = new Date();
    user.cardUid = null;
    await this.auth.endAllSessions(user);
    await this.announce('DELETED', user);
    return user;
  }

  private announce(kind: UserChangeKind, user: User): Promise<void> {
    const { passwordHash: _secret, sessionVersion: _version, ...visible } = user;
    return this.pubsub.publish<UserChangedEvent>(USER_CHANGED, { kind, user: visible });
  }

  private async resolveRoles(names: string[]): Promise<Role[]> {
    if (!names.length) throw new InvalidInputError('A user needs at least one role', { roles: 'must not be empty' });
    const wanted = [...new Set(names.map((n) => n.trim().toLowerCase()))];
    const found = await this.roles.findByNames(wanted);
    const missing = wanted.filter((n) => !found.some((r) => r.name === n));
    if (missing.length)
      throw new InvalidInputError(`Unknown role(s): ${missing.join(', ')}`, {
        roles: `unknown: ${missing.join(', ')}`,
      });
    return found;
  }

  private async assertKeepsAnAdmin(before: User, after: User, what: string): Promise<void> {
    const wasActiveAdmin = isActive(before) && isAdmin(before);
    const staysActiveAdmin = isActive(after) && isAdmin(after);
    if (wasActiveAdmin && !staysActiveAdmin && (await this.users.countActiveAdmins()) <= 1)
      throw new ConflictError(`The last admin cannot be ${what}`, { userId: before.id });
  }
}

function assertMayManage(actor: Actor, roles: readonly Role[]): void {
  const missing = exceedsActor(actor.permissions, roles);
  if (missing.length)
    throw new ForbiddenError(`Managing these roles needs permissions you do not hold: ${missing.join(', ')}`, {
      missingPermissions: missing,
    });
}

function requireDisplayName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 200)
    throw new InvalidInputError('Invalid display name', { displayName: 'must be 1 to 200 characters' });
  return trimmed;
}
