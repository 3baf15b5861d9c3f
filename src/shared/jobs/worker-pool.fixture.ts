import { threadId } from 'node:worker_threads';
import { InvalidInputError } from '../errors/domain-errors.js';

/** Tasks for worker-pool.spec.ts, run in worker threads. */

/** The sum of the values and their squares (a new typed array, transferred back), reporting progress. */
export function squares(values: Float64Array, onProgress: (fraction: number, message?: string) => void) {
  const out = new Float64Array(values.length);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    out[i] = values[i] * values[i];
    sum += values[i];
    onProgress((i + 1) / values.length, 'squaring');
  }
  return { sum, squares: out, threadId };
}

/**
 * Computes for `busyMs` in chunks of a quarter millisecond, reporting progress after each;
 * the time spent computing and the time it took in all (a paced task sleeps in its reports).
 */
export function busyFor(busyMs: number, onProgress: (fraction: number) => void): { busyMs: number; wallMs: number } {
  const began = performance.now();
  let busy = 0;
  while (busy < busyMs) {
    const chunk = performance.now();
    while (performance.now() - chunk < 0.25) Math.sqrt(Math.random());
    busy += performance.now() - chunk;
    onProgress(Math.min(busy / busyMs, 1));
  }
  return { busyMs: busy, wallMs: performance.now() - began };
}

export function refuse(): never {
  throw new InvalidInputError('The window size must be an integer of at least 3', { windowSize: 'must be ≥ 3' });
}

export function crash(): never {
  throw new TypeError('boom');
}

/** Never returns by itself: only an abort ends it. */
export function forever(onProgress: (fraction: number) => void): never {
  onProgress(0.5);
  for (;;) Math.sqrt(Math.random());
}

export function threadIdOf(): number {
  return threadId;
}

export { threadNice } from './thread-priority.js';
