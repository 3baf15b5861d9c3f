import { describe, expect, it } from '@jest/globals';
import { PubSub as MemoryEngine } from 'graphql-subscriptions';
import { PubSub } from './pub-sub.js';

describe('PubSub', () => {
  it('delivers published events to an open iterator, in order', async () => {
    const sut = new PubSub(new MemoryEngine());
    const events = sut.subscribe<number>('t');
    const first = events.next();
    await sut.publish('t', 1);
    await sut.publish('t', 2);
    expect(await first).toEqual({ value: 1, done: false });
    expect(await events.next()).toEqual({ value: 2, done: false });
  });

  it('goes on after a while when the engine never confirms a publish', async () => {
    const stalled = new MemoryEngine();
    stalled.publish = () => new Promise<void>(() => undefined);
    const sut = new PubSub(stalled, '', 50);
    const began = Date.now();
    await sut.publish('t', 1);
    expect(Date.now() - began).toBeGreaterThanOrEqual(45);
  });

  it('listens to several topics at once', async () => {
    const sut = new PubSub(new MemoryEngine());
    const events = sut.subscribe<string>(['a', 'b']);
    const pending = events.next();
    await sut.publish('b', 'from b');
    expect((await pending).value).toBe('from b');
  });

  it('releases its listeners when the iterator ends, also with a pending next()', async () => {
    const engine = new MemoryEngine();
    const sut = new PubSub(engine);
    const events = sut.subscribe<number>('t');
    expect(sut.activeSubscriptions()).toBe(1);
    const pending = events.next();
    await events.return!();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(sut.activeSubscriptions()).toBe(0);
    expect((engine as unknown as { ee: { listenerCount(t: string): number } }).ee.listenerCount('t')).toBe(0);
  });

  it('holds no listener for an iterator ended before it was read, nor after it ended', async () => {
    const engine = new MemoryEngine();
    const sut = new PubSub(engine);
    const listeners = () => (engine as unknown as { ee: { listenerCount(t: string): number } }).ee.listenerCount('t');
    const unread = sut.subscribe<number>('t');
    await unread.return!();
    expect(await unread.next()).toEqual({ value: undefined, done: true });
    expect(listeners()).toBe(0);
    expect(sut.activeSubscriptions()).toBe(0);

    const read = sut.subscribe<number>('t');
    const pending = read.next();
    expect(listeners()).toBe(1);
    await read.return!();
    await read.return!();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(await read.next()).toEqual({ value: undefined, done: true });
    expect(listeners()).toBe(0);
    expect(sut.activeSubscriptions()).toBe(0);
  });

  it('ends with the error given to throw(), releasing its listeners once', async () => {
    const engine = new MemoryEngine();
    const sut = new PubSub(engine);
    const events = sut.subscribe<number>('t');
    void events.next();
    await expect(events.throw!(new Error('stop'))).rejects.toThrow('stop');
    await expect(events.throw!(new Error('again'))).rejects.toThrow('again');
    expect(sut.activeSubscriptions()).toBe(0);
    expect((engine as unknown as { ee: { listenerCount(t: string): number } }).ee.listenerCount('t')).toBe(0);
  });
});
