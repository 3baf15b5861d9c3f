import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import type { MachineState } from './machine-state.js';

/** A half-open time window [from, to). */
export interface TimeWindow {
  from: Date;
  to: Date;
}

export interface WindowArgs {
  from?: Date | null;
  to?: Date | null;
  lastMinutes?: number | null;
}

/** Without any argument a window is the last hour. */
export const DEFAULT_WINDOW_MINUTES = 60;
export const MAX_WINDOW_MS = 366 * 24 * 3600_000;

/**
 * `lastMinutes` (the last N minutes up to now) or `from` with an optional `to` (default
 * now); not both. Errors name the offending argument.
 */
export function resolveWindow(args: WindowArgs, now: Date): TimeWindow {
  const { from, to, lastMinutes } = args;
  if (lastMinutes != null) {
    if (from || to)
      throw new InvalidInputError('Give either lastMinutes or from/to', { lastMinutes: 'cannot be used with from/to' });
    if (!Number.isInteger(lastMinutes) || lastMinutes < 1 || lastMinutes * 60_000 > MAX_WINDOW_MS)
      throw new InvalidInputError('Invalid lastMinutes', {
        lastMinutes: 'must be a whole number of minutes, 1 to 527040',
      });
    return { from: new Date(now.getTime() - lastMinutes * 60_000), to: now };
  }
  if (!from) {
    if (to) throw new InvalidInputError('A window with an end needs a start', { from: 'is required when to is given' });
    return { from: new Date(now.getTime() - DEFAULT_WINDOW_MINUTES * 60_000), to: now };
  }
  const end = to ?? now;
  if (end.getTime() <= from.getTime()) throw new InvalidInputError('Empty window', { to: 'must be after from' });
  if (end.getTime() - from.getTime() > MAX_WINDOW_MS)
    throw new InvalidInputError('Window too long', { to: 'must be at most 366 days after from' });
  return { from, to: end };
}

/** The UTC calendar day `YYYY-MM-DD` as a window. */
export function utcDay(date: string, field = 'date'): TimeWindow {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const from = match ? new Date(Date.UTC(+match[1], +match[2] - 1, +match[3])) : null;
  if (!from || from.toISOString().slice(0, 10) !== date)
    throw new InvalidInputError('Invalid date', { [field]: 'must be a calendar date YYYY-MM-DD' });
  return { from, to: new Date(from.getTime() + 24 * 3600_000) };
}

export interface StoredSegment {
  machineId: number;
  state: MachineState;
  startedAt: Date;
  endedAt: Date | null;
  lastSampleAt: Date;
}

/** A segment as shown: clipped to the window; an open one ends at its last reading. */
export interface TimelineSegment {
  machineId: number;
  state: MachineState;
  start: Date;
  end: Date;
  durationSeconds: number;
  open: boolean;
}

export function clipSegment(segment: StoredSegment, window: TimeWindow): TimelineSegment {
  const start = new Date(Math.max(segment.startedAt.getTime(), window.from.getTime()));
  const end = new Date(
    Math.max(start.getTime(), Math.min((segment.endedAt ?? segment.lastSampleAt).getTime(), window.to.getTime())),
  );
  return {
    machineId: segment.machineId,
    state: segment.state,
    start,
    end,
    durationSeconds: (end.getTime() - start.getTime()) / 1000,
    open: segment.endedAt === null,
  };
}
