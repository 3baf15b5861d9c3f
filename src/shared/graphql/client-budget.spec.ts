import { describe, expect, it } from '@jest/globals';
import { ClientBudget, ClientQueueFullError } from './client-budget.js';

/** Whether the promise has settled once pending callbacks ran. */
async function settled<T>(promise: Promise<T>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('ClientBudget', () => {
  it('runs operations of a client while their weights fit in the budget, and the next one when one ends', async () => {
    const sut = new ClientBudget({ budget: 10, waiting: 10 });
    const first = await sut.acquire('a', 6);
    await sut.acquire('a', 4);
    const third = sut.acquire('a', 5);
    expect(await settled(third)).toBe(false);
    expect(sut.size()).toEqual({ running: 2, waiting: 1 });

    first();
    expect(await settled(third)).toBe(true);
    expect(sut.size()).toEqual({ running: 2, waiting: 0 });
  });

  it('runs an operation weighing the whole budget alone', async () => {
    const sut = new ClientBudget({ budget: 10, waiting: 10 });
    const heavy = await sut.acquire('a', 10);
    const light = sut.acquire('a', 1);
    expect(await settled(light)).toBe(false);
    heavy();
    expect(await settled(light)).toBe(true);
  });

  it('keeps clients apart: a busy client does not hold up another', async () => {
    const sut = new ClientBudget({ budget: 10, waiting: 10 });
    await sut.acquire('busy', 10);
    const queued = sut.acquire('busy', 10);
    expect(await settled(sut.acquire('quiet', 10))).toBe(true);
    expect(await settled(queued)).toBe(false);
  });

  it('lets waiting operations in in arrival order, a light one not before a heavy one that came first', async () => {
    const sut = new ClientBudget({ budget: 10, waiting: 10 });
    const release = await sut.acquire('a', 8);
    const order: string[] = [];
    const heavy = sut.acquire('a', 9).then((done) => (order.push('heavy'), done));
    const light = sut.acquire('a', 1).then((done) => (order.push('light'), done));
    expect(await settled(light)).toBe(false);
    release();
    (await heavy)();
    (await light)();
    expect(order).toEqual(['heavy', 'light']);
    expect(sut.size()).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses an operation beyond the waiting limit, naming how many wait', async () => {
    const sut = new ClientBudget({ budget: 10, waiting: 2 });
    await sut.acquire('a', 10);
    void sut.acquire('a', 1);
    void sut.acquire('a', 1);
    await expect(sut.acquire('a', 1)).rejects.toEqual(new ClientQueueFullError(2));
    expect(sut.size()).toEqual({ running: 1, waiting: 2 });
  });

  it('counts a weight given back twice once', async () => {
    const sut = new ClientBudget({ budget: 10, waiting: 2 });
    const release = await sut.acquire('a', 10);
    const next = sut.acquire('a', 10);
    release();
    release();
    await next;
    expect(sut.size()).toEqual({ running: 1, waiting: 0 });
    expect(await settled(sut.acquire('a', 1))).toBe(false);
  });
});
