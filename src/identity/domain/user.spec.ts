import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import {
  normalizeCardUid,
  normalizeEmail,
  permissionsOf,
  validatePermissions,
  validateRoleName,
  type Role,
} from './user.js';

const role = (name: string, permissions: string[]): Role => ({
  id: name,
  name,
  description: '',
  permissions,
  authorizeAll: false,
  canMaintain: false,
  isSystem: false,
  createdAt: new Date(),
  updatedAt: new Date(),
});

describe('identity rules', () => {
  it('lowercases e-mail addresses and card uids', () => {
    expect(normalizeEmail('  Ada@Example.COM ')).toBe('ada@example.com');
    expect(normalizeCardUid('AABBCCD1')).toBe('aabbccd1');
  });

  it('names the field of an invalid e-mail or card uid', () => {
    expect(() => normalizeEmail('not-an-email')).toThrow(InvalidInputError);
    try {
      normalizeCardUid('xyz');
    } catch (e) {
      expect((e as InvalidInputError).details).toEqual({ fields: { cardUid: 'must be 8 hexadecimal characters' } });
    }
  });

  it('combines the permissions of several roles with OR', () => {
    const sut = permissionsOf([role('a', ['users:read']), role('b', ['roles:read', 'users:read'])]);
    expect([...sut].sort()).toEqual(['roles:read', 'users:read']);
  });

  it('refuses unknown permissions and bad role names', () => {
    expect(() => validatePermissions(['users:read', 'rockets:launch'])).toThrow(/rockets:launch/);
    expect(() => validateRoleName('Has Spaces')).toThrow(InvalidInputError);
    expect(validateRoleName('Night-Shift')).toBe('night-shift');
  });
});
