import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { PubSub } from '../../src/shared/pubsub/pub-sub.js';
import { createEngine } from '../../src/shared/pubsub/pubsub.module.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * The PubSub port on graphql-redis-subscriptions' own iterator, against a real Redis: events
 * cross between two engines (two replicas), and an ended iterator leaves no channel
 * subscribed, however it ended. Skipped when no Redis answers (it cannot be embedded).
 */
const redisUrl = process.env.TEST_REDIS_URL;
const maybe = redisUrl ? it : it.skip;

describe('PubSub over Redis', () => {
  const engines: Array<ReturnType<typeof createEngine>> = [];
  let observer: Redis;
  const topic = () => `pubsub-test-${randomBytes(4).toString('hex')}`;
  /** Redis' own count of subscribers of a channel (every replica's subscriber connection counts once). */
  const subscribers = async (channel: string) => Number((await observer.pubsub('NUMSUB', channel))[1]);

  beforeAll(() => {
    if (redisUrl) observer = new Redis(redisUrl);
  });
  afterAll(async () => {
    await Promise.all(engines.map((e) => e.close()));
    await observer?.quit();
  });

  function replica(): PubSub {
    const engine = createEngine({ REDIS_URL: redisUrl });
    engines.push(engine);
    return new PubSub(engine.engine);
  }

  maybe('delivers an event published on one replica to an iterator on another, dates revived', async () => {
    const [a, b] = [replica(), replica()];
    const channel = topic();
    const events = b.subscribe<{ at: Date; n: number }>(channel);
    let first: IteratorResult<{ at: Date; n: number }> | undefined;
    void events.next().then((result) => (first = result));
    await waitFor(async () => (await subscribers(channel)) === 1, { what: 'the channel to be subscribed' });
    // Redis counts the subscriber once it ran SUBSCRIBE, a moment before the engine takes its
    // reply: an event read in the same socket read as that reply is dropped by the engine. So
    // publish until one arrives.
    const at = new Date('2026-11-01T10:00:00.000Z');
    let published = 0;
    await waitFor(
      async () => {
        if (first) return true;
        await a.publish(channel, { at, n: ++published });
        return false;
      },
      { intervalMs: 100, what: 'an event on the other replica' },
    );
    expect(first).toEqual({ value: { at, n: expect.any(Number) }, done: false });
    await events.return!();
    await waitFor(async () => (await subscribers(channel)) === 0, { what: 'the channel to be released' });
    expect(b.activeSubscriptions()).toBe(0);
  });

  maybe('leaves no channel subscribed after return(), also when pending, unread or read again after', async () => {
    const pubsub = replica();
    const channel = topic();
    const pending = pubsub.subscribe<number>(channel);
    const waiting = pending.next();
    const unread = pubsub.subscribe<number>(channel);
    await waitFor(async () => (await subscribers(channel)) === 1, { what: 'the channel to be subscribed' });
    expect(pubsub.activeSubscriptions()).toBe(2);

    await unread.return!();
    await pending.return!();
    expect(await waiting).toEqual({ value: undefined, done: true });
    // Reading an ended iterator must not subscribe again (the engine's own iterator would).
    expect(await unread.next()).toEqual({ value: undefined, done: true });
    expect(await pending.next()).toEqual({ value: undefined, done: true });
    await waitFor(async () => (await subscribers(channel)) === 0, { what: 'the channel to be released' });
    expect(pubsub.activeSubscriptions()).toBe(0);
  });
});
