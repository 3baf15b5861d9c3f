import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { secondsBetween } from './use.js';

/**
 * Uses entered or corrected by hand (the original's history page: add, edit, delete a use,
 * optionally correcting the machine's hours counter).
 */
export interface UseTimes {
  startedAt: Date;
  /** Null: the use is still open. */
  endedAt: Date | null;
}

/** A use typed in by hand may start a little ahead of the server's clock, not more. */
const CLOCK_SKEW_MS = 60_000;

/** A use ends after it starts and does not start in the future. */
export function checkUseTimes({ startedAt, endedAt }: UseTimes, now: Date): void {
  const problems: Record<string, string> = {};
  if (startedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) problems.startedAt = 'must not be in the future';
  if (endedAt && endedAt.getTime() <= startedAt.getTime()) problems.endedAt = 'must be after startedAt';
  if (Object.keys(problems).length) throw new InvalidInputError('Invalid use times', problems);
}

/** Seconds a closed use adds to its machine's hours; an open one adds none yet. */
export function countedSecondsOf({ startedAt, endedAt }: UseTimes): number | null {
  return endedAt ? secondsBetween(startedAt, endedAt) : null;
}

/** What correcting the machine's hours adds for a use that counted `before` and now counts `after`. */
export function hoursCorrectionSeconds(before: number | null, after: number | null): number {
  return (after ?? 0) - (before ?? 0);
}
