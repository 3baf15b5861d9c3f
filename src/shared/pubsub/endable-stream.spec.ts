import { describe, expect, it } from '@jest/globals';
import { EndableStream } from './endable-stream.js';

/** A source that yields what is pushed and remembers being released. */
function source<T>() {
  const waiting: Array<(result: IteratorResult<T>) => void> = [];
  let released = false;
  const iterator: AsyncIterator<T> = {
    next: () => new Promise((resolve) => waiting.push(resolve)),
    return: async () => {
      released = true;
      return { value: undefined, done: true };
    },
  };
  return {
    iterator,
    push: (value: T) => waiting.shift()?.({ value, done: false }),
    get released() {
      return released;
    },
  };
}

describe('EndableStream', () => {
  it('passes events through until ended, then fails the pending read with the error and releases its source', async () => {
    const events = source<number>();
    let ends = 0;
    const sut = new EndableStream(events.iterator, () => ends++);
    const first = sut.next();
    events.push(1);
    expect(await first).toEqual({ value: 1, done: false });

    const pending = sut.next();
    const error = new Error('lost the experiment');
    sut.end(error);
    await expect(pending).rejects.toBe(error);
    await expect(sut.next()).rejects.toBe(error);
    expect(events.released).toBe(true);
    sut.end(new Error('again'));
    await sut.return();
    expect(ends).toBe(1);
    expect(sut.isEnded).toBe(true);
  });

  it("releases its source once when the client unsubscribes, and can't be ended after", async () => {
    const events = source<number>();
    let ends = 0;
    const sut = new EndableStream(events.iterator, () => ends++);
    expect(await sut.return()).toEqual({ value: undefined, done: true });
    sut.end(new Error('late'));
    expect(events.released).toBe(true);
    expect(ends).toBe(1);
  });
});
