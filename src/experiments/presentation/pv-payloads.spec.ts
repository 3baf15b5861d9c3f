import { describe, expect, it } from '@jest/globals';
import { MalformedMessageError } from '../../shared/mqtt/inbound-message.js';
import { parsePvValues } from './pv-payloads.js';

const receivedAt = new Date('2026-12-01T10:00:00Z');
const parse = (payload: string) => parsePvValues(Buffer.from(payload), receivedAt);

describe('PV payloads (PROTOCOLS.md A: {"ts", "value"} or a bare number)', () => {
  it('read objects, arrays of them and bare values, a missing ts being the receive time', () => {
    expect(parse('{"ts": "2026-12-01T09:59:00Z", "value": 1.5}')).toEqual([
      { ts: new Date('2026-12-01T09:59:00Z'), value: 1.5 },
    ]);
    expect(parse('[{"value": 1}, {"ts": 1764583140000, "value": "ON"}]')).toEqual([
      { ts: receivedAt, value: 1 },
      { ts: new Date(1764583140000), value: 'ON' },
    ]);
    expect(parse('42')).toEqual([{ ts: receivedAt, value: 42 }]);
    expect(parse('"OPEN"')).toEqual([{ ts: receivedAt, value: 'OPEN' }]);
    expect(parse('{"value": 0, "unit": "ignored"}')).toEqual([{ ts: receivedAt, value: 0 }]);
  });

  it('refuse what is not JSON, values that are neither finite numbers nor strings, and bad times, naming the field', () => {
    const reasonOf = (payload: string) => {
      try {
        parse(payload);
        return 'accepted';
      } catch (error) {
        expect(error).toBeInstanceOf(MalformedMessageError);
        return `${(error as MalformedMessageError).reason}: ${(error as Error).message}`;
      }
    };
    expect(reasonOf('OPEN')).toMatch(/^invalid_json/);
    expect(reasonOf('1e999')).toBe('invalid_field: value: must be a finite number or a string');
    expect(reasonOf('{"value": null}')).toBe('invalid_field: value: must be a finite number or a string');
    expect(reasonOf('[{"value": 1}, {"value": true}]')).toBe(
      'invalid_field: [1].value: must be a finite number or a string',
    );
    expect(reasonOf('[1, 2]')).toBe('invalid_field: [0]: must be an object');
    expect(reasonOf('{"ts": "yesterday", "value": 1}')).toMatch(/^invalid_field: ts:/);
    expect(reasonOf('null')).toMatch(/^invalid_field: payload/);
  });
});
