import { afterAll, describe, expect, it } from '@jest/globals';
import type { AppConfig } from '../../config/app-config.js';
import { InvalidInputError } from '../errors/domain-errors.js';
import { threadNice } from './thread-priority.js';
import { TaskAbortedError, WorkerPool, WorkerTaskError } from './worker-pool.service.js';

const FIXTURE = new URL('./worker-pool.fixture.js', import.meta.url);

describe('WorkerPool (from the TypeScript sources, as under Jest)', () => {
  const sut = new WorkerPool({ JOB_WORKERS: 2, JOB_WORKER_NICE: 15, JOB_CPU_PERCENT: 25 } as AppConfig);
  afterAll(() => sut.onApplicationShutdown());

  it('runs an exported function in a worker thread, typed arrays moved both ways, progress forwarded', async () => {
    const values = Float64Array.from({ length: 1000 }, (_, i) => i);
    const progress: number[] = [];
    const result = await sut.run<{ sum: number; squares: Float64Array; threadId: number }>({
      module: FIXTURE,
      fn: 'squares',
      args: [values],
      transfer: [values.buffer],
      onProgress: (fraction) => progress.push(fraction),
    });
    expect(values.length).toBe(0); // transferred, not copied
    expect(result.sum).toBe(499_500);
    expect(Object.prototype.toString.call(result.squares)).toBe('[object Float64Array]');
    expect(result.squares[999]).toBe(998_001);
    expect(progress.length).toBeGreaterThanOrEqual(90);
    expect(progress.length).toBeLessThanOrEqual(101);
    expect(progress.at(-1)).toBe(1);
    expect(await sut.run({ module: FIXTURE, fn: 'threadIdOf', args: [] })).toBeGreaterThan(0);
  });

  it('runs its threads at JOB_WORKER_NICE (Linux), the event loop at its own priority', async () => {
    const here = threadNice();
    if (here === null) return; // no /proc: priorities are left alone
    expect(await sut.run({ module: FIXTURE, fn: 'threadNice', args: [] })).toBe(Math.max(15, here));
    expect(threadNice()).toBe(here);
  });

  it('paces a background task to JOB_CPU_PERCENT of a core at its progress reports; other tasks run flat out', async () => {
    type Timing = { busyMs: number; wallMs: number };
    const paced = await sut.run<Timing>({ module: FIXTURE, fn: 'busyFor', args: [60], background: true });
    // 2 ms slices, each followed by a sleep of three times as long (25 %): at least 3.5× in all.
    expect(paced.wallMs).toBeGreaterThanOrEqual(3.5 * paced.busyMs);
    // Unpaced, the time outside its computing is a few calls per chunk (loosely bounded: a loaded machine).
    const flatOut = await sut.run<Timing>({ module: FIXTURE, fn: 'busyFor', args: [60] });
    expect(flatOut.wallMs).toBeLessThan(3 * flatOut.busyMs);
  });

  it('rethrows a domain error with its code and details, other errors as errors', async () => {
    const refused = sut.run({ module: FIXTURE, fn: 'refuse', args: [] });
    await expect(refused).rejects.toBeInstanceOf(WorkerTaskError);
    await expect(refused).rejects.toMatchObject({
      code: new InvalidInputError('', {}).code,
      details: { fields: { windowSize: 'must be ≥ 3' } },
    });
    await expect(sut.run({ module: FIXTURE, fn: 'crash', args: [] })).rejects.toThrow('boom');
    await expect(sut.run({ module: FIXTURE, fn: 'missing', args: [] })).rejects.toThrow('exports no function missing');
  });

  it('ends an aborted task at once, replaces its thread and runs the next tasks', async () => {
    const controller = new AbortController();
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const endless = sut.run({
      module: FIXTURE,
      fn: 'forever',
      args: [],
      signal: controller.signal,
      onProgress: () => started(),
    });
    await running;
    controller.abort();
    await expect(endless).rejects.toBeInstanceOf(TaskAbortedError);
    const results = await Promise.all(
      [1, 2, 3].map((n) => sut.run<{ sum: number }>({ module: FIXTURE, fn: 'squares', args: [new Float64Array([n])] })),
    );
    expect(results.map((r) => r.sum)).toEqual([1, 2, 3]);
    expect(sut.load()).toEqual({ running: 0, queued: 0 });
  });
});
