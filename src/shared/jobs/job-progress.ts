/**
 * Progress of a long computation (a CSV import, baseline cleaning, selection, augmentation), as
 * the fraction done in [0, 1]. Called synchronously from inside the computation: a worker
 * forwards it to its job record (worker-pool.service.ts, job.service.ts). Calls are rate-limited
 * (see `progressSpan`), and 1 is always reported at the end.
 */
export type ProgressListener = (fraction: number) => void;

/**
 * Maps a part of a computation's progress onto [from, to] of its caller's, and reports only
 * steps of at least 1 %, so that a loop over 50,000 readings calls the listener ~100 times.
 */
export function progressSpan(listener: ProgressListener | undefined, from: number, to: number): ProgressListener {
  if (!listener) return () => {};
  let last = -Infinity;
  return (fraction) => {
    const overall = from + (to - from) * Math.min(Math.max(fraction, 0), 1);
    if (overall - last >= 0.01 || (fraction >= 1 && overall !== last)) {
      last = overall;
      listener(overall);
    }
  };
}
