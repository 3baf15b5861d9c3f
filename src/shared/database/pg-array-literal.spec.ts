import { describe, expect, it } from '@jest/globals';
import { arrayElement } from './pg-array-literal.js';

describe('arrayElement', () => {
  it('writes scalars as PostgreSQL reads them in an array literal', () => {
    expect(arrayElement(42)).toBe('42');
    expect(arrayElement(-1.5e-7)).toBe('-1.5e-7');
    expect(arrayElement(Number.NaN)).toBe('NaN');
    expect(arrayElement(Number.NEGATIVE_INFINITY)).toBe('-Infinity');
    expect(arrayElement(12345678901234567890n)).toBe('12345678901234567890');
    expect(arrayElement(true)).toBe('t');
    expect(arrayElement(null)).toBe('NULL');
    expect(arrayElement(undefined)).toBe('NULL');
    expect(arrayElement(new Date('2026-01-02T03:04:05.678Z'))).toBe('2026-01-02T03:04:05.678Z');
  });

  it('quotes text, so that separators, braces and the word NULL stay text', () => {
    expect(arrayElement('a,b')).toBe('"a,b"');
    expect(arrayElement('{x}')).toBe('"{x}"');
    expect(arrayElement('NULL')).toBe('"NULL"');
    expect(arrayElement('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"');
  });

  it('sends bytes as bytea hex and objects as JSON text', () => {
    expect(arrayElement(Buffer.from([0, 255]))).toBe('"\\\\x00ff"');
    expect(arrayElement({ axis: 'X', homed: true })).toBe('"{\\"axis\\":\\"X\\",\\"homed\\":true}"');
  });

  it('refuses what has no column representation', () => {
    expect(() => arrayElement(new Date(Number.NaN))).toThrow('Invalid Date');
    expect(() => arrayElement(Symbol('s'))).toThrow(TypeError);
  });
});
