import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { checkInstructionText, checkOperator, checkShiftTimes, shiftAt, OPERATOR_DEFAULTS } from './shift.js';

const at = (hh: number) => new Date(Date.UTC(2026, 0, 5, hh));

describe('shifts', () => {
  it('must end after they start, naming endsAt', () => {
    expect(() => checkShiftTimes(at(8), at(16))).not.toThrow();
    for (const end of [at(8), at(7)]) {
      try {
        checkShiftTimes(at(8), end);
        throw new Error('accepted');
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidInputError);
        expect((e as InvalidInputError).details.fields).toHaveProperty('endsAt');
      }
    }
  });

  it('are active from their start (included) to their end (excluded)', () => {
    const shifts = [
      { id: 1, startsAt: at(6), endsAt: at(14) },
      { id: 2, startsAt: at(14), endsAt: at(22) },
    ];
    expect(shiftAt(shifts, at(6))?.id).toBe(1);
    expect(shiftAt(shifts, at(14))?.id).toBe(2);
    expect(shiftAt(shifts, at(22))).toBeNull();
  });
});

describe('operators and instructions', () => {
  it('trims names and names every offending field', () => {
    expect(checkOperator({ ...OPERATOR_DEFAULTS, name: '  Ravi ', number: 7 }).name).toBe('Ravi');
    try {
      checkOperator({ ...OPERATOR_DEFAULTS, name: ' ', number: 0, dateOfJoining: '2026-13-01' });
      throw new Error('accepted');
    } catch (e) {
      expect(Object.keys((e as InvalidInputError).details.fields as object).sort()).toEqual([
        'dateOfJoining',
        'name',
        'number',
      ]);
    }
  });

  it('refuses an empty instruction', () => {
    expect(checkInstructionText('  Wear gloves ')).toBe('Wear gloves');
    expect(() => checkInstructionText('   ')).toThrow(InvalidInputError);
  });
});
