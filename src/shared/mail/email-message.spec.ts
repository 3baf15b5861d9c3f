import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../errors/domain-errors.js';
import { checkEmail, messageIdOf } from './email-message.js';

describe('e-mail messages', () => {
  const valid = { to: ['ops@plant.example'], subject: 'Out of band', text: 'FanSpeed1 = 12' };

  it('accepts a plain notification', () => {
    expect(() => checkEmail(valid)).not.toThrow();
  });

  it.each([
    [{ ...valid, to: [] }, 'to'],
    [{ ...valid, to: ['not an address'] }, 'to'],
    [{ ...valid, to: ['a@b.c', 'x@y'] }, 'to'],
    [{ ...valid, subject: 'two\r\nBcc: lines' }, 'subject'],
    [{ ...valid, subject: ' ' }, 'subject'],
  ])('refuses %j, naming the field', (message, field) => {
    try {
      checkEmail(message);
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(Object.keys((error as InvalidInputError).details.fields as object)).toEqual([field]);
    }
  });

  it('gives every attempt of one key the same Message-ID, and other keys another', () => {
    expect(messageIdOf('pv:1:episode:7')).toBe(messageIdOf('pv:1:episode:7'));
    expect(messageIdOf('pv:1:episode:7')).not.toBe(messageIdOf('pv:1:episode:8'));
    expect(messageIdOf('x')).toMatch(/^<[0-9a-f]{32}@plantgraph\.outbox>$/);
  });
});
