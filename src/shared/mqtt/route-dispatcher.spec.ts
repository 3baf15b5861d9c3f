import { describe, expect, it } from '@jest/globals';
import { MalformedMessageError, type InboundMessage, type MqttHandler } from './inbound-message.js';
import { RouteDispatcher, type DispatchObserver } from './route-dispatcher.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

function message(key: string, body: string): InboundMessage {
  return { topic: `machine/${key}`, payload: Buffer.from(body), params: { id: key }, receivedAt: new Date() };
}

/** A handler whose calls the test finishes by hand, each call logged as `body#attempt`. */
function manualHandler() {
  const calls: string[] = [];
  const pending = new Map<string, { resolve(): void; reject(error: Error): void }>();
  const handler: MqttHandler = (m) =>
    new Promise<void>((resolve, reject) => {
      const call = `${m.payload.toString()}#${m.attempt}`;
      calls.push(call);
      pending.set(call, { resolve, reject });
    });
  const finish = (call: string, error?: Error) => {
    const gate = pending.get(call);
    if (!gate) throw new Error(`${call} is not running (running: ${[...pending.keys()].join(', ')})`);
    pending.delete(call);
    if (error) gate.reject(error);
    else gate.resolve();
  };
  return { handler, calls, finish };
}

function observer() {
  const seen = { rejected: [] as string[], failed: [] as string[] };
  const sut: DispatchObserver = {
    rejected: (error, m) => seen.rejected.push(`${m.payload.toString()}: ${error.reason}`),
    failed: (_error, m, attempt) => seen.failed.push(`${m.payload.toString()}#${attempt}`),
  };
  return { sut, seen };
}

const serialById = { serialBy: (m: InboundMessage) => m.params.id, delayOf: () => 1 };
const never = () => false;

describe('RouteDispatcher with serialBy', () => {
  it('handles one message at a time per key, in arrival order, and keys in parallel', async () => {
    const { handler, calls, finish } = manualHandler();
    const sut = new RouteDispatcher(handler, observer().sut, new AbortController().signal, serialById);

    const results = [
      sut.dispatch(message('1', 'a1'), never),
      sut.dispatch(message('1', 'a2'), never),
      sut.dispatch(message('2', 'b1'), never),
    ];
    await tick();
    expect(calls).toEqual(['a1#1', 'b1#1']);
    finish('b1#1');
    await tick();
    expect(calls).toEqual(['a1#1', 'b1#1']);
    finish('a1#1');
    await tick();
    expect(calls).toEqual(['a1#1', 'b1#1', 'a2#1']);
    finish('a2#1');
    expect(await Promise.all(results)).toEqual([true, true, true]);
  });

  it('retries a failed message inside its key: the next message of that key waits, another key does not', async () => {
    const { handler, calls, finish } = manualHandler();
    const { sut: watcher, seen } = observer();
    const sut = new RouteDispatcher(handler, watcher, new AbortController().signal, serialById);

    const start = sut.dispatch(message('1', 'start'), never);
    const stop = sut.dispatch(message('1', 'stop'), never);
    const other = sut.dispatch(message('2', 'other'), never);
    await tick();
    finish('start#1', new Error('database down'));
    finish('other#1');
    await waitUntil(() => calls.includes('start#2'));
    finish('start#2', new Error('database down'));
    await waitUntil(() => calls.includes('start#3'));
    expect(calls).toEqual(['start#1', 'other#1', 'start#2', 'start#3']);
    finish('start#3');
    await waitUntil(() => calls.includes('stop#1'));
    finish('stop#1');

    expect(await Promise.all([start, stop, other])).toEqual([true, true, true]);
    expect(calls).toEqual(['start#1', 'other#1', 'start#2', 'start#3', 'stop#1']);
    expect(seen.failed).toEqual(['start#1', 'start#2']);
  });

  it('acknowledges a malformed message without retrying it, and goes on with the key', async () => {
    const { sut: watcher, seen } = observer();
    const handled: string[] = [];
    const sut = new RouteDispatcher(
      async (m) => {
        handled.push(m.payload.toString());
        if (m.payload.toString() === 'bad') throw new MalformedMessageError('invalid_json', 'not JSON');
      },
      watcher,
      new AbortController().signal,
      serialById,
    );

    expect(
      await Promise.all([sut.dispatch(message('1', 'bad'), never), sut.dispatch(message('1', 'good'), never)]),
    ).toEqual([true, true]);
    expect(handled).toEqual(['bad', 'good']);
    expect(seen.rejected).toEqual(['bad: invalid_json']);
  });

  it('leaves a message queued behind an abandoned one to the broker, unhandled, so that it keeps its order', async () => {
    const { handler, calls, finish } = manualHandler();
    const sut = new RouteDispatcher(handler, observer().sut, new AbortController().signal, serialById);
    let connectionOpen = true;
    const abandoned = () => !connectionOpen;

    const first = sut.dispatch(message('1', 'first'), abandoned);
    const second = sut.dispatch(message('1', 'second'), abandoned);
    await tick();
    finish('first#1', new Error('database down'));
    connectionOpen = false;

    expect(await Promise.all([first, second])).toEqual([false, false]);
    expect(calls).toEqual(['first#1']);
  });

  it('stops retrying once the service stops: the message stays unacknowledged', async () => {
    const stopping = new AbortController();
    let calls = 0;
    const sut = new RouteDispatcher(
      async () => {
        calls++;
        throw new Error('database down');
      },
      observer().sut,
      stopping.signal,
      { ...serialById, delayOf: () => 60_000 },
    );

    const result = sut.dispatch(message('1', 'start'), never);
    await tick();
    stopping.abort();
    expect(await result).toBe(false);
    expect(calls).toBe(1);
  });
});

describe('RouteDispatcher without serialBy', () => {
  it('handles messages of the same topic at the same time', async () => {
    const { handler, calls, finish } = manualHandler();
    const sut = new RouteDispatcher(handler, observer().sut, new AbortController().signal, { delayOf: () => 1 });

    const results = [sut.dispatch(message('1', 'a1'), never), sut.dispatch(message('1', 'a2'), never)];
    await tick();
    expect(calls).toEqual(['a1#1', 'a2#1']);
    finish('a2#1');
    finish('a1#1');
    expect(await Promise.all(results)).toEqual([true, true]);
  });
});

async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 2 s');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
