import { describe, expect, it } from '@jest/globals';
import { escapeLike } from './escape-like.js';

describe('escapeLike', () => {
  it('escapes the LIKE wildcards and the escape character, and leaves the rest alone', () => {
    expect(escapeLike('10%_off\\now')).toBe('10\\%\\_off\\\\now');
    expect(escapeLike('Lathe 3 (old)')).toBe('Lathe 3 (old)');
    expect(escapeLike('')).toBe('');
  });
});
