import { describe, expect, it } from '@jest/globals';
import {
  AccessLevel,
  accessLevel,
  isAuthorized,
  mayRecordMaintenance,
  normalizeCard,
  type AccessMachine,
  type CardHolder,
} from './card-access.js';

const holder = (overrides: Partial<CardHolder> = {}): CardHolder => ({
  userId: 'u1',
  displayName: 'Ada',
  cardUid: 'aabbccd1',
  disabled: false,
  authorizeAll: false,
  canMaintain: false,
  ...overrides,
});
const machine = (overrides: Partial<AccessMachine> = {}): AccessMachine => ({
  id: 1,
  code: '17',
  name: 'LASER 1',
  blocked: false,
  machineTypeId: 1,
  needsAuthorization: true,
  autoLogoffMinutes: 120,
  graceMinutes: 3,
  ...overrides,
});

describe('card access rule', () => {
  it('staff (authorizeAll) get level 2 everywhere, even on a blocked machine without an authorisation', () => {
    expect(accessLevel(holder({ authorizeAll: true }), machine({ blocked: true }), false)).toBe(AccessLevel.STAFF);
  });

  it('a user needs an authorisation when the machine type asks for one', () => {
    expect(accessLevel(holder(), machine(), false)).toBe(AccessLevel.REFUSED);
    expect(accessLevel(holder(), machine(), true)).toBe(AccessLevel.USER);
  });

  it('a machine type without authorisations admits every card holder', () => {
    expect(accessLevel(holder(), machine({ needsAuthorization: false }), false)).toBe(AccessLevel.USER);
  });

  it('a blocked machine refuses users, authorisation or not', () => {
    expect(isAuthorized(holder(), machine({ blocked: true }), true)).toBe(false);
    expect(isAuthorized(holder(), machine({ blocked: true, needsAuthorization: false }), false)).toBe(false);
  });

  it('a disabled holder is refused, staff included', () => {
    expect(accessLevel(holder({ disabled: true, authorizeAll: true }), machine(), true)).toBe(AccessLevel.REFUSED);
  });

  it('only maintainers who are not disabled record maintenance', () => {
    expect(mayRecordMaintenance(holder({ canMaintain: true }))).toBe(true);
    expect(mayRecordMaintenance(holder({ canMaintain: true, disabled: true }))).toBe(false);
    expect(mayRecordMaintenance(holder({ authorizeAll: true }))).toBe(false);
  });

  it('normalises card uids to lowercase and refuses anything but 8 hex characters', () => {
    expect(normalizeCard('AABBCCD1')).toBe('aabbccd1');
    expect(normalizeCard('aabbccd')).toBeNull();
    expect(normalizeCard('aabbccdg')).toBeNull();
  });
});
