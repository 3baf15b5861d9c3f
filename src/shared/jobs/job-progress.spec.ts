import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { cpuSharePacer, progressSpan, setComputationPacer } from './job-progress.js';
import { busyFor } from './worker-pool.fixture.js';

describe('progress reports', () => {
  afterEach(() => setComputationPacer(undefined));

  it('maps a part onto its span and reports steps of at least 1 %, and 1 at the end', () => {
    const seen: number[] = [];
    const span = progressSpan((f) => seen.push(f), 0.5, 1);
    for (let k = 0; k <= 1000; k++) span(k / 1000);
    expect(seen.length).toBeGreaterThanOrEqual(45);
    expect(seen.length).toBeLessThanOrEqual(51);
    expect(seen[0]).toBe(0.5);
    expect(seen.at(-1)).toBe(1);
  });

  it('calls the installed pacer at every report, filtered or not, with or without a listener', () => {
    let paced = 0;
    setComputationPacer(() => paced++);
    const quiet = progressSpan(undefined, 0, 1);
    const listened = progressSpan(() => undefined, 0, 1);
    for (let k = 0; k < 100; k++) {
      quiet(k / 100_000);
      listened(k / 100_000);
    }
    expect(paced).toBe(200);
  });
});

describe('cpuSharePacer', () => {
  /** Computes in quarter-millisecond chunks, pacing after each (the worker pool's fixture task, run here). */
  const computeFor = (busyMs: number, pace: () => void) => {
    const { busyMs: busy, wallMs: wall } = busyFor(busyMs, pace);
    return { busy, wall };
  };

  it('sleeps after each slice so that the computation takes about its share of the time', () => {
    const { busy, wall } = computeFor(40, cpuSharePacer(0.5));
    // Each slice of ≥ 2 ms is followed by a sleep as long: at least 1.8× in all.
    expect(wall).toBeGreaterThanOrEqual(1.8 * busy);
  });

  it('never pauses at a share of 1', () => {
    const wait = jest.spyOn(Atomics, 'wait');
    try {
      computeFor(10, cpuSharePacer(1));
      expect(wait).not.toHaveBeenCalled();
    } finally {
      wait.mockRestore();
    }
  });
});
