import { describe, expect, it } from '@jest/globals';
import { LogThrottle } from './log-throttle.js';

describe('LogThrottle', () => {
  it('lets one line per key through per interval and reports how many were suppressed', () => {
    let now = 0;
    const sut = new LogThrottle(60_000, () => now);
    expect(sut.take('m1')).toBe(0);
    expect(sut.take('m1')).toBeUndefined();
    expect(sut.take('m2')).toBe(0);
    now = 30_000;
    expect(sut.take('m1')).toBeUndefined();
    now = 60_000;
    expect(sut.take('m1')).toBe(2);
    expect(sut.take('m1')).toBeUndefined();
  });

  it('keeps a suppressed count across a sweep of the idle keys', () => {
    let now = 0;
    const sut = new LogThrottle(1_000, () => now);
    sut.take('noisy');
    sut.take('noisy');
    sut.take('quiet');
    now = 1_500;
    sut.take('other');
    expect(sut.take('noisy')).toBe(1);
  });
});
