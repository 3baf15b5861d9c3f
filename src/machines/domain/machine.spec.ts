import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { elementTypeChanges, newElementType } from './element-type.js';
import { hoursOf, machineChanges, newMachine, newMachineType, newTool, usageIncrement } from './machine.js';

function fieldsOf(work: () => unknown): Record<string, string> {
  try {
    work();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    return (e as InvalidInputError).details.fields as Record<string, string>;
  }
  throw new Error('expected an InvalidInputError');
}

describe('machine registry rules', () => {
  it('fills defaults and trims names of a new machine', () => {
    const sut = newMachine({ code: 'M-1', name: '  Mill  ', tools: [{ number: 1 }] });
    expect(sut).toEqual({
      machine: {
        code: 'M-1',
        name: 'Mill',
        model: '',
        maker: '',
        capacityAmps: null,
        dateOfPurchase: null,
        machineTypeId: null,
        blocked: false,
      },
      axes: [],
      tools: [{ number: 1, toolOffset: 0, feedRate: 0 }],
    });
  });

  it('names every offending field of a machine, its axes and tools at once', () => {
    const fields = fieldsOf(() =>
      newMachine({
        code: 'a/b',
        name: ' ',
        capacityAmps: -1,
        axes: [
          { name: 'X', maxVelocity: 1, maxAcceleration: 1 },
          { name: 'Q', maxVelocity: 0, maxAcceleration: 1 },
          { name: 'X', maxVelocity: 1, maxAcceleration: 1 },
        ],
        tools: [{ number: 2 }, { number: 2, feedRate: -1 }],
      }),
    );
    expect(Object.keys(fields).sort()).toEqual(
      [
        'axes.1.maxVelocity',
        'axes.1.name',
        'axes.2.name',
        'capacityAmps',
        'code',
        'name',
        'tools.1.feedRate',
        'tools.1.number',
      ].sort(),
    );
    expect(fields['axes.2.name']).toBe('X is given twice');
  });

  it('accepts codes devices can put in a topic, and only those', () => {
    expect(newMachine({ code: 'Weld_7G-2', name: 'x' }).machine.code).toBe('Weld_7G-2');
    for (const code of ['', 'a b', 'a/b', 'a+', '#', 'x'.repeat(65)])
      expect(fieldsOf(() => newMachine({ code, name: 'x' }))).toHaveProperty('code');
  });

  it('accepts only dates that exist', () => {
    expect(machineChanges({ dateOfPurchase: '2024-02-29' })).toEqual({ dateOfPurchase: '2024-02-29' });
    expect(machineChanges({ dateOfPurchase: null })).toEqual({ dateOfPurchase: null });
    for (const date of ['2023-02-29', '2024-13-01', '2024-1-01', 'yesterday'])
      expect(fieldsOf(() => machineChanges({ dateOfPurchase: date }))).toHaveProperty('dateOfPurchase');
  });

  it('changes only what is given, and refuses null where a value is needed', () => {
    expect(machineChanges({ blocked: true, capacityAmps: undefined })).toEqual({ blocked: true });
    expect(fieldsOf(() => machineChanges({ name: null, blocked: null }))).toEqual({
      name: 'must be a string',
      blocked: 'must be true or false',
    });
  });

  it('requires whole tool numbers from 1, and whole non-negative minutes', () => {
    expect(fieldsOf(() => newTool({ number: 1.5 }))).toHaveProperty('number');
    expect(fieldsOf(() => newTool({}))).toEqual({ number: 'is required' });
    expect(newMachineType({ name: 'Lathe' })).toEqual({
      name: 'Lathe',
      autoLogoffMinutes: 0,
      graceMinutes: 0,
      needsAuthorization: false,
    });
    expect(
      Object.keys(fieldsOf(() => newMachineType({ name: 'x', autoLogoffMinutes: -1, graceMinutes: 0.5 }))),
    ).toEqual(['autoLogoffMinutes', 'graceMinutes']);
  });

  it('counts use in whole seconds and shows hours', () => {
    expect(usageIncrement(90)).toBe(90);
    expect(() => usageIncrement(1.5)).toThrow(InvalidInputError);
    expect(usageIncrement(-30)).toBe(-30);
    expect(hoursOf(5400)).toBe(1.5);
  });
});

describe('element type rules', () => {
  const standard = {
    name: 'E7018',
    range: '',
    currentMin: 180,
    currentMax: 270,
    voltageMin: 20,
    voltageMax: 30,
    description: '',
    active: true,
  };

  it('requires each band to be a proper interval', () => {
    expect(newElementType({ name: 'E7018', currentMin: 180, currentMax: 270, voltageMin: 20, voltageMax: 30 })).toEqual(
      standard,
    );
    expect(
      fieldsOf(() => newElementType({ name: 'x', currentMin: 5, currentMax: 5, voltageMin: 30, voltageMax: 20 })),
    ).toEqual({
      currentMax: 'must be greater than currentMin (5)',
      voltageMax: 'must be greater than voltageMin (30)',
    });
  });

  it('checks the bands as they will be after a partial change', () => {
    expect(elementTypeChanges(standard, { currentMax: 200 })).toEqual({ currentMax: 200 });
    expect(fieldsOf(() => elementTypeChanges(standard, { voltageMin: 35 }))).toEqual({
      voltageMax: 'must be greater than voltageMin (35)',
    });
  });
});
