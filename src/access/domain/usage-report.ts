/**
 * Usage over a window, as the original's statistics and weekly summary count it: the closed
 * uses overlapping the window, each clipped to it (a use from 23:00 to 01:00 counts one hour
 * on each day). Open uses count once they close.
 */
export interface UsageWindow {
  from: Date;
  to: Date;
}

const DAY_MS = 86_400_000;

/**
 * The week that starts on `weekStart`'s Monday (00:00 UTC), or by default the last full
 * Monday-to-Monday week before `now`.
 */
export function summaryWeek(now: Date, weekStart?: Date | null): UsageWindow {
  const from = weekStart ? mondayOf(weekStart) : new Date(mondayOf(now).getTime() - 7 * DAY_MS);
  return { from, to: new Date(from.getTime() + 7 * DAY_MS) };
}

function mondayOf(at: Date): Date {
  const day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const sinceMonday = (new Date(day).getUTCDay() + 6) % 7;
  return new Date(day - sinceMonday * DAY_MS);
}

/** Seconds of [start, end) inside the window. */
export function clippedSeconds(start: Date, end: Date, window: UsageWindow): number {
  const from = Math.max(start.getTime(), window.from.getTime());
  const to = Math.min(end.getTime(), window.to.getTime());
  return Math.max(0, (to - from) / 1000);
}

export function hoursOf(seconds: number): number {
  return Math.round((seconds / 3600) * 1000) / 1000;
}
