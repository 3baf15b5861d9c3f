import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { SamplesAdded } from './sample-kind.js';
import { SampleStream } from './sample-stream.js';

interface Sample {
  machineCode: string;
  axis: string;
  n: number;
}

/** A PubSub iterator fed by hand. */
function source() {
  const queued: SamplesAdded<Sample>[] = [];
  const waiting: Array<(result: IteratorResult<SamplesAdded<Sample>>) => void> = [];
  let returned = false;
  const iterator: AsyncIterableIterator<SamplesAdded<Sample>> = {
    next: () =>
      returned
        ? Promise.resolve({ value: undefined, done: true })
        : queued.length
          ? Promise.resolve({ value: queued.shift()!, done: false })
          : new Promise((resolve) => waiting.push(resolve)),
    return: async () => {
      returned = true;
      for (const resolve of waiting.splice(0)) resolve({ value: undefined, done: true });
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return {
    iterator,
    get returned() {
      return returned;
    },
    publish(machineCode: string, samples: Array<Omit<Sample, 'machineCode'>>) {
      const event = { sourceId: 1, sourceCode: machineCode, samples: samples.map((s) => ({ ...s, machineCode })) };
      const resolve = waiting.shift();
      if (resolve) resolve({ value: event, done: false });
      else queued.push(event);
    },
  };
}

const options = { key: (s: Sample) => `${s.machineCode}|${s.axis}`, maxQueued: 100, onDropped: () => undefined };

async function take(sut: SampleStream<Sample>, count: number): Promise<Sample[]> {
  const taken: Sample[] = [];
  while (taken.length < count) taken.push((await sut.next()).value as Sample);
  return taken;
}

describe('SampleStream', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('flattens events into samples, filtered by machine and by sample', async () => {
    const events = source();
    const sut = new SampleStream(events.iterator, {
      ...options,
      sourceCodes: new Set(['M1']),
      accept: (s) => s.axis !== 'Y',
    });
    events.publish('M2', [{ axis: 'X', n: 1 }]);
    events.publish('M1', [
      { axis: 'X', n: 2 },
      { axis: 'Y', n: 3 },
      { axis: 'Z', n: 4 },
    ]);
    expect((await take(sut, 2)).map((s) => s.n)).toEqual([2, 4]);
    await sut.return();
  });

  it('coalesces to the latest sample per key, at most the rate per second, the first at once', async () => {
    jest.useFakeTimers();
    const events = source();
    const sut = new SampleStream(events.iterator, { ...options, maxRatePerSecond: 2 });
    events.publish('M1', [
      { axis: 'X', n: 1 },
      { axis: 'X', n: 2 },
      { axis: 'Y', n: 3 },
    ]);
    expect((await take(sut, 2)).map((s) => s.n)).toEqual([2, 3]);
    for (let n = 4; n < 50; n++) events.publish('M1', [{ axis: 'X', n }]);
    const next = sut.next();
    await jest.advanceTimersByTimeAsync(499);
    let settled = false;
    void next.then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect((await next).value).toMatchObject({ axis: 'X', n: 49 });
    await sut.return();
  });

  it('drops the oldest samples of a subscriber that does not keep up', async () => {
    const events = source();
    const dropped = jest.fn();
    const sut = new SampleStream(events.iterator, { ...options, maxQueued: 3, onDropped: dropped });
    events.publish(
      'M1',
      [1, 2, 3, 4, 5].map((n) => ({ axis: 'X', n })),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect((await take(sut, 3)).map((s) => s.n)).toEqual([3, 4, 5]);
    expect(dropped).toHaveBeenCalledTimes(2);
    await sut.return();
  });

  it('releases the PubSub listener and ends when the subscription ends', async () => {
    const events = source();
    const sut = new SampleStream(events.iterator, { ...options, maxRatePerSecond: 1 });
    const pending = sut.next();
    await sut.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(events.returned).toBe(true);
    expect(await sut.next()).toEqual({ value: undefined, done: true });
  });
});
