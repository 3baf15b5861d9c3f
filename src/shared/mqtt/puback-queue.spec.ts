import { describe, expect, it } from '@jest/globals';
import { PubackQueue } from './puback-queue.js';

describe('PubackQueue', () => {
  it('acknowledges a message as soon as it finishes when nothing is ahead of it', () => {
    const sut = new PubackQueue();
    const first = sut.add(1)!;
    expect(sut.complete(first)).toEqual([1]);
    expect(sut.size).toBe(0);
  });

  it('holds a finished message back until every earlier one finished, then releases them in arrival order', () => {
    const sut = new PubackQueue();
    const [a, b, c, d] = [10, 11, 12, 13].map((id) => sut.add(id)!);
    expect(sut.complete(c)).toEqual([]);
    expect(sut.complete(b)).toEqual([]);
    expect(sut.complete(a)).toEqual([10, 11, 12]);
    expect(sut.size).toBe(1);
    expect(sut.complete(d)).toEqual([13]);
  });

  it('keeps working after the queue drained', () => {
    const sut = new PubackQueue();
    sut.complete(sut.add(1)!);
    const next = sut.add(2)!;
    const after = sut.add(3)!;
    expect(sut.complete(after)).toEqual([]);
    expect(sut.complete(next)).toEqual([2, 3]);
  });

  it('refuses a second message with an id still pending, and accepts the id again once acknowledged', () => {
    const sut = new PubackQueue();
    const first = sut.add(5)!;
    expect(sut.add(5)).toBeUndefined();
    expect(sut.complete(first)).toEqual([5]);
    expect(sut.add(5)).toBeDefined();
  });

  it('on clear, counts the finished-but-unacknowledged messages and forgets everything', () => {
    const sut = new PubackQueue();
    const [a, b, c] = [1, 2, 3].map((id) => sut.add(id)!);
    sut.complete(b);
    sut.complete(c);
    expect(sut.clear()).toBe(2);
    expect(sut.size).toBe(0);
    // Completions that arrive after the connection ended acknowledge nothing.
    expect(sut.complete(a)).toEqual([]);
  });
});
