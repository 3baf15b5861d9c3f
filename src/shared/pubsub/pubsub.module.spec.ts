import type { EventEmitter } from 'node:events';
import { describe, expect, it } from '@jest/globals';
import { PubSub } from './pub-sub.js';
import { createEngine } from './pubsub.module.js';

describe('the in-memory PubSub engine', () => {
  it('takes thousands of subscriptions on one topic without reaching the leak warning', async () => {
    const { engine } = createEngine({ REDIS_URL: undefined });
    const emitter = (engine as unknown as { ee: EventEmitter }).ee;
    const sut = new PubSub(engine);
    const events = Array.from({ length: 5000 }, () => sut.subscribe<number>('telemetry'));
    // An iterator listens from its first read on.
    const pending = events.map((e) => e.next());
    // Node warns (MaxListenersExceededWarning) once a topic has more listeners than this.
    expect(emitter.listenerCount('telemetry')).toBe(5000);
    expect(emitter.getMaxListeners()).toBeGreaterThanOrEqual(5000);
    await Promise.all(events.map((e) => e.return!()));
    expect(emitter.listenerCount('telemetry')).toBe(0);
    expect(await Promise.all(pending)).toEqual(events.map(() => ({ value: undefined, done: true })));
  });
});
