import { describe, expect, it } from '@jest/globals';
import {
  acknowledgedState,
  checkShelve,
  checkUnshelve,
  clearTransition,
  escalatedSeverity,
  optionalNote,
  stateAfterReraise,
} from './alarm-lifecycle.js';

const now = new Date('2026-12-04T10:00:00Z');
const inMinutes = (m: number) => new Date(now.getTime() + m * 60_000);

describe('alarm lifecycle (ISA-18.2)', () => {
  it('acknowledges only an unacknowledged alarm; a returned one is then over', () => {
    expect(acknowledgedState('ACTIVE_UNACKNOWLEDGED')).toBe('ACTIVE_ACKNOWLEDGED');
    expect(acknowledgedState('RETURNED_UNACKNOWLEDGED')).toBe('NORMAL');
    expect(() => acknowledgedState('ACTIVE_ACKNOWLEDGED')).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    expect(() => acknowledgedState('NORMAL')).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
  });

  it('clears an acknowledged alarm to NORMAL and an unacknowledged one to RETURNED_UNACKNOWLEDGED', () => {
    expect(clearTransition('ACTIVE_ACKNOWLEDGED')).toEqual({ state: 'NORMAL', kind: 'CLEARED' });
    expect(clearTransition('ACTIVE_UNACKNOWLEDGED')).toEqual({ state: 'RETURNED_UNACKNOWLEDGED', kind: 'RETURNED' });
    expect(clearTransition('RETURNED_UNACKNOWLEDGED')).toBeNull();
    expect(clearTransition('NORMAL')).toBeNull();
  });

  it('re-raises an open alarm to active, unacknowledged unless acknowledged at this severity', () => {
    expect(stateAfterReraise('RETURNED_UNACKNOWLEDGED', 'MAJOR', 'MAJOR')).toBe('ACTIVE_UNACKNOWLEDGED');
    expect(stateAfterReraise('ACTIVE_UNACKNOWLEDGED', 'MAJOR', 'MINOR')).toBe('ACTIVE_UNACKNOWLEDGED');
    expect(stateAfterReraise('ACTIVE_ACKNOWLEDGED', 'MAJOR', 'MAJOR')).toBe('ACTIVE_ACKNOWLEDGED');
    expect(stateAfterReraise('ACTIVE_ACKNOWLEDGED', 'MAJOR', 'WARNING')).toBe('ACTIVE_ACKNOWLEDGED');
    expect(stateAfterReraise('ACTIVE_ACKNOWLEDGED', 'MAJOR', 'CRITICAL')).toBe('ACTIVE_UNACKNOWLEDGED');
    expect(() => stateAfterReraise('NORMAL', 'MAJOR', 'MAJOR')).toThrow();
  });

  it('escalates severity while open, never de-escalates', () => {
    expect(escalatedSeverity('MINOR', 'CRITICAL')).toBe('CRITICAL');
    expect(escalatedSeverity('CRITICAL', 'MINOR')).toBe('CRITICAL');
    expect(escalatedSeverity('WARNING', 'WARNING')).toBe('WARNING');
  });

  describe('shelving', () => {
    const open = { state: 'ACTIVE_UNACKNOWLEDGED' as const, suppression: null };

    it('takes an open alarm, a future time within 30 days and a reason', () => {
      expect(checkShelve(open, inMinutes(30), '  known nuisance  ', now)).toBe('known nuisance');
      expect(checkShelve({ ...open, suppression: 'SHELVED' }, inMinutes(60 * 24 * 30), 'extend', now)).toBe('extend');
    });

    it('refuses a past time, more than 30 days, or no reason, naming the fields', () => {
      expect(() => checkShelve(open, inMinutes(-1), '', now)).toThrow(
        expect.objectContaining({
          code: 'BAD_USER_INPUT',
          details: { fields: { until: 'must be in the future', note: expect.any(String) } },
        }),
      );
      expect(() => checkShelve(open, inMinutes(60 * 24 * 30 + 1), 'x', now)).toThrow(
        expect.objectContaining({ details: { fields: { until: 'must be at most 30 days ahead' } } }),
      );
    });

    it('refuses a closed alarm or one whose source is out of service (CONFLICT)', () => {
      expect(() => checkShelve({ state: 'NORMAL', suppression: null }, inMinutes(5), 'x', now)).toThrow(
        expect.objectContaining({ code: 'CONFLICT' }),
      );
      expect(() => checkShelve({ ...open, suppression: 'OUT_OF_SERVICE' }, inMinutes(5), 'x', now)).toThrow(
        expect.objectContaining({ code: 'CONFLICT' }),
      );
    });

    it('un-shelves only a shelved alarm', () => {
      expect(() => checkUnshelve({ suppression: 'SHELVED' })).not.toThrow();
      expect(() => checkUnshelve({ suppression: null })).toThrow(expect.objectContaining({ code: 'CONFLICT' }));
    });
  });

  it('treats an empty note as none and refuses one too long', () => {
    expect(optionalNote('  ')).toBeNull();
    expect(optionalNote(' seen ')).toBe('seen');
    expect(() => optionalNote('x'.repeat(1001))).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }));
  });
});
