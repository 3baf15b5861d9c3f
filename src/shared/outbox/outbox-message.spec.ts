import { describe, expect, it } from '@jest/globals';
import { describeFailure, nextAttemptDelay } from './outbox-message.js';

describe('outbox retry policy', () => {
  const policy = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 5000 };

  it('doubles the delay after each failure, up to the maximum, and gives up after maxAttempts', () => {
    expect([1, 2, 3, 4, 5].map((attempts) => nextAttemptDelay(attempts, policy))).toEqual([
      1000,
      2000,
      4000,
      5000,
      null,
    ]);
  });

  it('keeps a bounded error text', () => {
    expect(describeFailure(new Error('550 mailbox unavailable'))).toBe('550 mailbox unavailable');
    expect(describeFailure('x'.repeat(5000))).toHaveLength(1001);
  });
});
