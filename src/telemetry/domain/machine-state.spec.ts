import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import {
  changeBand,
  classify,
  isOutOfStandard,
  orderBands,
  STANDARD_CHECKED_IN,
  type StateBand,
} from './machine-state.js';

/** The seeded bands of the migration. */
const SEEDED_BANDS: StateBand[] = orderBands([
  { state: 'IDLE', priority: 3, currentMin: null, currentMax: null, voltageMin: null, voltageMax: null, color: '' },
  { state: 'OFF', priority: 2, currentMin: null, currentMax: 5, voltageMin: null, voltageMax: 5, color: '' },
  {
    state: 'PRODUCTION',
    priority: 1,
    currentMin: 100,
    currentMax: null,
    voltageMin: null,
    voltageMax: null,
    color: '',
  },
]);

const reading = (current: number, voltage: number) => ({ current, voltage });
const standard = { currentMin: 180, currentMax: 270, voltageMin: 15, voltageMax: 35 };

describe('state classification', () => {
  it('takes the first band by priority that contains both the current and the voltage', () => {
    expect(classify(reading(200, 25), SEEDED_BANDS)).toBe('PRODUCTION');
    expect(classify(reading(0, 0), SEEDED_BANDS)).toBe('OFF');
    expect(classify(reading(40, 15), SEEDED_BANDS)).toBe('IDLE');
    // Low current but a live voltage: not off, so idle.
    expect(classify(reading(3, 20), SEEDED_BANDS)).toBe('IDLE');
  });

  it('includes both bounds of a band', () => {
    expect(classify(reading(100, 0), SEEDED_BANDS)).toBe('PRODUCTION');
    expect(classify(reading(99.99, 0), SEEDED_BANDS)).toBe('IDLE');
    expect(classify(reading(5, 5), SEEDED_BANDS)).toBe('OFF');
    expect(classify(reading(5.01, 5), SEEDED_BANDS)).toBe('IDLE');
  });

  it('falls back to IDLE when no band contains the reading', () => {
    const bands = orderBands(SEEDED_BANDS.filter((b) => b.state !== 'IDLE'));
    expect(classify(reading(50, 20), bands)).toBe('IDLE');
  });

  it('breaks priority ties by state name, so that the order never depends on storage', () => {
    const tied = orderBands(SEEDED_BANDS.map((b) => ({ ...b, priority: 1 })));
    expect(tied.map((b) => b.state)).toEqual(['IDLE', 'OFF', 'PRODUCTION']);
  });
});

describe('band changes', () => {
  const off = SEEDED_BANDS.find((b) => b.state === 'OFF')!;

  it('applies the given fields, keeps the others, and clears a bound with null', () => {
    expect(changeBand(off, { currentMax: 8, voltageMax: null })).toMatchObject({
      state: 'OFF',
      priority: 2,
      currentMax: 8,
      voltageMax: null,
    });
  });

  it('refuses min ≥ max, naming the field, checked against the stored other bound', () => {
    expect(() => changeBand(off, { currentMin: 5 })).toThrow(InvalidInputError);
    try {
      changeBand(off, { voltageMin: 10 });
    } catch (e) {
      expect((e as InvalidInputError).details).toEqual({
        fields: { voltageMax: 'must be greater than voltageMin (10)' },
      });
    }
  });

  it('refuses a priority that is not a whole number from 1', () => {
    expect(() => changeBand(off, { priority: 0 })).toThrow(InvalidInputError);
    expect(() => changeBand(off, { priority: 1.5 })).toThrow(InvalidInputError);
  });
});

describe('out of standard', () => {
  it('is a reading outside [min, max] of the current or the voltage, bounds included in the standard', () => {
    expect(isOutOfStandard(reading(180, 15), 'PRODUCTION', standard)).toBe(false);
    expect(isOutOfStandard(reading(270, 35), 'PRODUCTION', standard)).toBe(false);
    expect(isOutOfStandard(reading(271, 20), 'PRODUCTION', standard)).toBe(true);
    expect(isOutOfStandard(reading(200, 14.9), 'PRODUCTION', standard)).toBe(true);
  });

  it('is never raised for an OFF machine, nor without a standard (no active shift)', () => {
    expect(isOutOfStandard(reading(0, 0), 'OFF', standard)).toBe(false);
    expect(isOutOfStandard(reading(400, 50), 'PRODUCTION', null)).toBe(false);
  });

  it('is checked in PRODUCTION only: an idle reading outside the band is not out of standard', () => {
    expect([...STANDARD_CHECKED_IN]).toEqual(['PRODUCTION']);
    // Idle current (20–60 A) is always below a welding standard: no alert.
    expect(isOutOfStandard(reading(40, 12), 'IDLE', standard)).toBe(false);
    expect(isOutOfStandard(reading(20, 40), 'IDLE', standard)).toBe(false);
    // The same kind of excursion while welding is one.
    expect(isOutOfStandard(reading(150, 12), 'PRODUCTION', standard)).toBe(true);
  });
});
