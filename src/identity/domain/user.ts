import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { isPermission, type Permission } from '../../shared/auth/permissions.js';

export interface Role {
  id: string;
  name: string;
  description: string;
  permissions: string[];
  /** RFID boards: the holder may use every machine, even blocked ones (level 2, "staff"). */
  authorizeAll: boolean;
  /** RFID boards: the holder may record maintenance. */
  canMaintain: boolean;
  /** Seeded roles cannot be renamed or deleted. */
  isSystem: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface User {
  id: string;
  /** Stored lowercased: e-mail addresses are unique case-insensitively. */
  email: string;
  displayName: string;
  /** RFID card uid, 8 hex characters, stored lowercase. */
  cardUid: string | null;
  passwordHash: string | null;
  disabled: boolean;
  /** Bumped by "log out everywhere" and password changes: older access tokens stop working. */
  sessionVersion: number;
  roles: Role[];
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

export const ADMIN_ROLE = 'admin';
export const SEEDED_ROLES = ['admin', 'manager', 'supervisor', 'operator', 'member'] as const;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const CARD_UID = /^[0-9a-f]{8}$/;
const ROLE_NAME = /^[a-z][a-z0-9_-]{1,49}$/;

export function normalizeEmail(email: string, field = 'email'): string {
  const normalized = email.trim().toLowerCase();
  if (!EMAIL.test(normalized) || normalized.length > 320)
    throw new InvalidInputError('Invalid e-mail address', { [field]: 'must be a valid e-mail address' });
  return normalized;
}

export function normalizeCardUid(uid: string, field = 'cardUid'): string {
  const normalized = uid.trim().toLowerCase();
  if (!CARD_UID.test(normalized))
    throw new InvalidInputError('Invalid card uid', { [field]: 'must be 8 hexadecimal characters' });
  return normalized;
}

export function validateRoleName(name: string): string {
  const normalized = name.trim().toLowerCase();
  if (!ROLE_NAME.test(normalized))
    throw new InvalidInputError('Invalid role name', {
      name: 'must be 2–50 characters: lowercase letters, digits, "-" or "_", starting with a letter',
    });
  return normalized;
}

export function validatePermissions(permissions: string[]): Permission[] {
  const unknown = permissions.filter((p) => !isPermission(p));
  if (unknown.length)
    throw new InvalidInputError(`Unknown permission(s): ${unknown.join(', ')}`, {
      permissions: `unknown: ${unknown.join(', ')}`,
    });
  return [...new Set(permissions)] as Permission[];
}

/** Roles combine with OR: a user holds every permission any of their roles grants. */
export function permissionsOf(roles: readonly Role[]): Set<Permission> {
  return new Set(roles.flatMap((r) => r.permissions).filter(isPermission));
}

export function isActive(user: Pick<User, 'disabled' | 'deletedAt'>): boolean {
  return !user.disabled && !user.deletedAt;
}

export function isAdmin(user: Pick<User, 'roles'>): boolean {
  return user.roles.some((r) => r.name === ADMIN_ROLE);
}

/**
 * No escalation: an actor may give or manage only roles whose permissions they hold
 * themselves (a manager cannot create an admin, nor reset an admin's password).
 */
export function exceedsActor(actorPermissions: ReadonlySet<string>, roles: readonly Role[]): string[] {
  return [...new Set(roles.flatMap((r) => r.permissions))].filter((p) => !actorPermissions.has(p));
}
