import { describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { PubSub as MemoryEngine } from 'graphql-subscriptions';
import { PubSub } from './pub-sub.js';
import { ReplicatedState } from './replicated-state.js';

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('ReplicatedState', () => {
  it('loads at start, reloads where changed, and on the other replicas through the event', async () => {
    const bus = new PubSub(new MemoryEngine());
    let stored = ['a'];
    const loads = { first: 0, second: 0 };
    const replica = (name: 'first' | 'second') =>
      new ReplicatedState(
        bus,
        'things-changed',
        async () => {
          loads[name]++;
          return [...stored];
        },
        [] as string[],
        new Logger('test'),
        'the things',
      );
    const first = replica('first');
    const second = replica('second');
    expect(first.value).toEqual([]);
    await Promise.all([first.start(), second.start()]);
    expect([first.value, second.value]).toEqual([['a'], ['a']]);

    stored = ['a', 'b'];
    await first.changed();
    expect(first.value).toEqual(['a', 'b']);
    await settle();
    expect(second.value).toEqual(['a', 'b']);
    // The replica that changed it does not reload again on its own event.
    expect(loads).toEqual({ first: 2, second: 2 });
    await Promise.all([first.stop(), second.stop()]);
    expect(bus.activeSubscriptions()).toBe(0);
  });

  it('keeps the newest load when an older one finishes after it', async () => {
    const bus = new PubSub(new MemoryEngine());
    const answers: Array<(value: number) => void> = [];
    const sut = new ReplicatedState(
      bus,
      't',
      () => new Promise<number>((resolve) => answers.push(resolve)),
      0,
      new Logger('test'),
      'a number',
    );
    const started = sut.start();
    const changed = sut.changed();
    answers[1](2); // the newer load answers first
    answers[0](1);
    await Promise.all([started, changed]);
    expect(sut.value).toBe(2);
    await sut.stop();
  });
});
