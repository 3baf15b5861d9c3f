import { describe, expect, it } from '@jest/globals';
import { DEFAULT_PV_FIELDS } from './experiments.js';
import { checkSetValue, MAX_TEXT_LENGTH, sampleOf } from './pv-values.js';

const ts = new Date('2026-12-01T10:00:00Z');
const numberPv = { ...DEFAULT_PV_FIELDS, setMin: 0, setMax: 100 };
const textPv = { ...DEFAULT_PV_FIELDS, type: 'TEXT' as const };

describe('PV samples', () => {
  it('keep numbers of NUMBER PVs and refuse their texts, even numeric ones', () => {
    expect(sampleOf({ id: 1, type: 'NUMBER' }, { ts, value: 0 })).toEqual({
      sample: { pvId: 1, ts, value: 0, text: null },
    });
    expect(sampleOf({ id: 1, type: 'NUMBER' }, { ts, value: '42' })).toHaveProperty('problem');
  });

  it('keep texts of TEXT PVs, numbers as their decimal text, and refuse NUL and overlong texts', () => {
    expect(sampleOf({ id: 2, type: 'TEXT' }, { ts, value: 'RUNNING' })).toEqual({
      sample: { pvId: 2, ts, value: null, text: 'RUNNING' },
    });
    expect(sampleOf({ id: 2, type: 'TEXT' }, { ts, value: 1.5 })).toEqual({
      sample: { pvId: 2, ts, value: null, text: '1.5' },
    });
    expect(sampleOf({ id: 2, type: 'TEXT' }, { ts, value: '' })).toHaveProperty('sample.text', '');
    expect(sampleOf({ id: 2, type: 'TEXT' }, { ts, value: 'a\u0000b' })).toHaveProperty('problem');
    expect(sampleOf({ id: 2, type: 'TEXT' }, { ts, value: 'x'.repeat(MAX_TEXT_LENGTH + 1) })).toHaveProperty('problem');
  });
});

describe('values to set', () => {
  it('are decimal numbers for NUMBER PVs, published in their shortest form, 0 included', () => {
    expect(checkSetValue(numberPv, '42')).toEqual({ text: '42', value: 42 });
    expect(checkSetValue(numberPv, ' 42.50 ')).toEqual({ text: '42.5', value: 42.5 });
    expect(checkSetValue(numberPv, '0')).toEqual({ text: '0', value: 0 });
    expect(checkSetValue(numberPv, '1e1')).toEqual({ text: '10', value: 10 });
    expect(checkSetValue(numberPv, '.5')).toEqual({ text: '0.5', value: 0.5 });
  });

  it('refuse what is no decimal number as WRONG_TYPE', () => {
    for (const raw of ['', ' ', 'abc', '0x10', '1,5', 'Infinity', 'NaN', '1e999', '--1', '1 2'])
      expect({ raw, outcome: checkSetValue(numberPv, raw) }).toEqual({
        raw,
        outcome: expect.objectContaining({ refusal: 'WRONG_TYPE' }),
      });
  });

  it('refuse numbers outside the set range as OUT_OF_RANGE, the bounds included in the range', () => {
    expect(checkSetValue(numberPv, '100')).toEqual({ text: '100', value: 100 });
    expect(checkSetValue(numberPv, '100.01')).toEqual({ refusal: 'OUT_OF_RANGE', problem: 'must be at most 100' });
    expect(checkSetValue(numberPv, '-0.5')).toEqual({ refusal: 'OUT_OF_RANGE', problem: 'must be at least 0' });
    expect(checkSetValue({ ...DEFAULT_PV_FIELDS }, '-1e6')).toEqual({ text: '-1000000', value: -1e6 });
  });

  it('are texts as given for TEXT PVs, without NUL and at most the maximum length', () => {
    expect(checkSetValue(textPv, ' OPEN; a & b = c ')).toEqual({ text: ' OPEN; a & b = c ', value: null });
    expect(checkSetValue(textPv, 'a\u0000')).toMatchObject({ refusal: 'WRONG_TYPE' });
    expect(checkSetValue(textPv, 'x'.repeat(MAX_TEXT_LENGTH + 1))).toMatchObject({ refusal: 'WRONG_TYPE' });
  });
});
