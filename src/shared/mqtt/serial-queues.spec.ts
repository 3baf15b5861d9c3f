import { describe, expect, it } from '@jest/globals';
import { SerialQueues } from './serial-queues.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('SerialQueues', () => {
  it('runs one piece of work at a time per key, in order, and keys in parallel', async () => {
    const sut = new SerialQueues();
    const log: string[] = [];
    const gates: Record<string, () => void> = {};
    const work = (name: string) => () =>
      new Promise<string>((resolve) => {
        log.push(`start ${name}`);
        gates[name] = () => {
          log.push(`end ${name}`);
          resolve(name);
        };
      });
    const a1 = sut.run('a', work('a1'));
    const a2 = sut.run('a', work('a2'));
    const b1 = sut.run('b', work('b1'));
    await tick();
    expect(log).toEqual(['start a1', 'start b1']);
    gates.a1();
    expect(await a1).toBe('a1');
    await tick();
    expect(log).toEqual(['start a1', 'start b1', 'end a1', 'start a2']);
    gates.a2();
    gates.b1();
    expect(await Promise.all([a2, b1])).toEqual(['a2', 'b1']);
    await tick();
    expect(sut.size).toBe(0);
  });

  it('goes on after a failure, which only its caller sees', async () => {
    const sut = new SerialQueues();
    const failed = sut.run('a', () => Promise.reject(new Error('database down')));
    const next = sut.run('a', async () => 'next');
    await expect(failed).rejects.toThrow('database down');
    expect(await next).toBe('next');
  });
});
