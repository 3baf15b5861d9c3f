import { describe, expect, it } from '@jest/globals';
import { accessStatus, countByStatus, isBoardCode, type AccessStatusFacts } from './access-status.js';

const facts = (overrides: Partial<AccessStatusFacts> = {}): AccessStatusFacts => ({
  inUse: false,
  blocked: false,
  maintenanceDue: false,
  online: true,
  ...overrides,
});

describe('access status precedence', () => {
  it('IN_USE wins over everything else', () => {
    expect(accessStatus(facts({ inUse: true, blocked: true, maintenanceDue: true, online: false }))).toBe('IN_USE');
  });

  it('BLOCKED wins over maintenance and offline', () => {
    expect(accessStatus(facts({ blocked: true, maintenanceDue: true, online: false }))).toBe('BLOCKED');
  });

  it('MAINTENANCE wins over offline', () => {
    expect(accessStatus(facts({ maintenanceDue: true, online: false }))).toBe('MAINTENANCE');
  });

  it('an idle machine is OFFLINE when silent, FREE when online', () => {
    expect(accessStatus(facts({ online: false }))).toBe('OFFLINE');
    expect(accessStatus(facts())).toBe('FREE');
  });
});

describe('counts per status', () => {
  it('counts every status, zero for the absent ones', () => {
    expect(countByStatus(['FREE', 'IN_USE', 'FREE'])).toEqual({
      IN_USE: 1,
      BLOCKED: 0,
      MAINTENANCE: 0,
      OFFLINE: 0,
      FREE: 2,
    });
  });
});

describe('board codes', () => {
  it('are all digits', () => {
    expect(isBoardCode('17')).toBe(true);
    expect(isBoardCode('17a')).toBe(false);
    expect(isBoardCode('')).toBe(false);
  });
});
