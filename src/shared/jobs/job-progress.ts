/**
 * Progress of a long computation (a CSV import, baseline cleaning, selection, augmentation), as
 * the fraction done in [0, 1]. Called synchronously from inside the computation: a worker
 * forwards it to its job record (worker-pool.service.ts, job.service.ts). Calls are rate-limited
 * (see `progressSpan`), and 1 is always reported at the end.
 */
export type ProgressListener = (fraction: number) => void;

/** What a progress report calls first, before the 1 % filter (a no-op unless a worker installs one). */
let pace: () => void = () => {};

/**
 * Maps a part of a computation's progress onto [from, to] of its caller's, and reports only
 * steps of at least 1 %, so that a loop over 50,000 readings calls the listener ~100 times.
 */
export function progressSpan(listener: ProgressListener | undefined, from: number, to: number): ProgressListener {
  let last = -Infinity;
  return (fraction) => {
    pace();
    if (!listener) return;
    const overall = from + (to - from) * Math.min(Math.max(fraction, 0), 1);
    if (overall - last >= 0.01 || (fraction >= 1 && overall !== last)) {
      last = overall;
      listener(overall);
    }
  };
}

/** A yield point outside progress reports (between the chunks of a read, say): pauses when the thread is paced. */
export function paceComputation(): void {
  pace();
}

/**
 * Installs the pause that keeps this thread's computation within a share of one core
 * (`cpuSharePacer`), or removes it (undefined). Progress reports are the computation's
 * yield points: a long one reports often (the matrix profile every four diagonals).
 */
export function setComputationPacer(pacer: (() => void) | undefined): void {
  pace = pacer ?? (() => {});
}

/**
 * A pacer that lets a thread compute for `sliceMs` at a time, then sleeps long enough that it
 * uses about `share` of one core: background work (a baseline job) then leaves the other
 * cores' time, and the memory bus and caches they share, to live work most of the time,
 * whatever the kernel's scheduler makes of thread priorities (PostgreSQL's vacuum cost delay,
 * for the same reason). A share of 1 (or more) never pauses. Blocks the thread (Atomics.wait):
 * for worker threads only.
 */
export function cpuSharePacer(share: number, sliceMs = 2): () => void {
  if (!(share > 0 && share < 1)) return () => {};
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  let sliceStart = performance.now();
  return () => {
    const busy = performance.now() - sliceStart;
    if (busy < sliceMs) return;
    Atomics.wait(sleeper, 0, 0, (busy * (1 - share)) / share);
    sliceStart = performance.now();
  };
}
