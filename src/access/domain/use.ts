/**
 * Uses (sessions of a machine) and how board messages open, refresh and close them,
 * robust to lost, late and replayed messages (PROTOCOLS.md section B; reference/fabomatic.md
 * §2.3–2.4 for what the original got wrong). Pure decisions: the application service loads
 * the machine's open and latest use, asks here what to do, and writes the answer in one
 * transaction with the machine's hours.
 */

export type UseOrigin = 'board' | 'api';
/** How a use ended: the board's stop, a newer start on the machine, an hour of silence, or by hand. */
export type UseCloseReason = 'stop' | 'superseded' | 'orphaned' | 'api';

export interface Use {
  id: string;
  machineId: number;
  /** Null once anonymised by the privacy purge (or when the user row is gone). */
  userId: string | null;
  startedAt: Date;
  /** The last message that showed the use alive (start, heartbeat, stop). */
  lastSeenAt: Date;
  /** Null while the use is open. */
  endedAt: Date | null;
  /** Seconds this use added to the machine's hours (null while open). */
  countedSeconds: number | null;
  /** The duration the board reported in its stop, as given (null without a board stop). */
  reportedDurationSeconds: number | null;
  /** Opened or closed by a message the board replayed from its buffer. */
  replay: boolean;
  origin: UseOrigin;
  closeReason: UseCloseReason | null;
  anonymized: boolean;
  createdAt: Date;
}

/** A board's `duration` is accepted from 0 to 24 h. */
export const MAX_BOARD_DURATION_SECONDS = 86_400;
/** Uses with no message for this long close themselves at their last heartbeat. */
export const ORPHAN_AFTER_MS = 60 * 60_000;
/**
 * A start for the same user on a use opened less than this ago is the same start replayed
 * (the board replays after 2 s timeout + 45 s fail-fast, or after a longer outage).
 */
export const REPLAYED_START_WINDOW_MS = 5 * 60_000;

export function isValidBoardDuration(seconds: number): boolean {
  return Number.isInteger(seconds) && seconds >= 0 && seconds <= MAX_BOARD_DURATION_SECONDS;
}

/** Closing a use: when it ended, why, and the seconds it adds to the machine's hours. */
export interface UseClosing {
  useId: string;
  endedAt: Date;
  countedSeconds: number;
  reason: UseCloseReason;
  reportedDurationSeconds: number | null;
  lastSeenAt: Date;
}

/** A new use to insert; closed ones carry their closing already. */
export type NewUse = Omit<Use, 'id' | 'anonymized' | 'createdAt'>;

/** Closes a use at its last heartbeat: what it was seen doing is what it counted. */
export function closeAtLastHeartbeat(use: Use, reason: 'superseded' | 'orphaned'): UseClosing {
  return {
    useId: use.id,
    endedAt: use.lastSeenAt,
    countedSeconds: secondsBetween(use.startedAt, use.lastSeenAt),
    reason,
    reportedDurationSeconds: null,
    lastSeenAt: use.lastSeenAt,
  };
}

export type StartDecision =
  /** The same user's use opened moments ago: a replayed start, kept as it is. */
  { kind: 'keep'; use: Use } | { kind: 'open'; close: UseClosing | null; open: NewUse };

/** `startuse`: open a use now; an open use of the machine is first closed at its last heartbeat. */
export function decideStart(
  openUse: Use | null,
  machineId: number,
  userId: string,
  now: Date,
  replay: boolean,
): StartDecision {
  if (
    openUse &&
    openUse.userId === userId &&
    now.getTime() - openUse.startedAt.getTime() <= REPLAYED_START_WINDOW_MS &&
    now.getTime() >= openUse.startedAt.getTime()
  )
    return { kind: 'keep', use: openUse };
  return {
    kind: 'open',
    close: openUse ? closeAtLastHeartbeat(openUse, 'superseded') : null,
    open: openBoardUse(machineId, userId, now, now, replay),
  };
}

export type HeartbeatDecision =
  | { kind: 'refused' }
  | { kind: 'refresh'; useId: string; lastSeenAt: Date }
  /** No open use: the start was missed, so open one that began `duration` seconds ago. */
  | { kind: 'open'; open: NewUse };

/** `inuse`: refresh the open use, or recover a missed start. */
export function decideHeartbeat(
  openUse: Use | null,
  machineId: number,
  userId: string,
  durationSeconds: number,
  now: Date,
): HeartbeatDecision {
  if (!isValidBoardDuration(durationSeconds)) return { kind: 'refused' };
  if (openUse) return { kind: 'refresh', useId: openUse.id, lastSeenAt: later(openUse.lastSeenAt, now) };
  return { kind: 'open', open: openBoardUse(machineId, userId, secondsBefore(now, durationSeconds), now, false) };
}

export type StopDecision =
  | { kind: 'close'; close: UseClosing; addSeconds: number }
  /** A use auto-closed at its last heartbeat gets the board's real duration after all. */
  | { kind: 'correct'; close: UseClosing; addSeconds: number }
  | { kind: 'record'; open: NewUse; addSeconds: number }
  /** The same stop again (replayed or redelivered): nothing changes, the board still hears OK. */
  | { kind: 'duplicate'; use: Use };

/**
 * `stopuse`: close the machine's open use (whoever's card is in the message) at start +
 * duration; with no open use, record a closed use that ended now — unless this stop was
 * already recorded. `latestUse` is the machine's most recently started use.
 */
export function decideStop(
  openUse: Use | null,
  latestUse: Use | null,
  machineId: number,
  userId: string,
  reportedDuration: number,
  now: Date,
  replay: boolean,
): StopDecision {
  const duration = isValidBoardDuration(reportedDuration) ? reportedDuration : 1;
  if (openUse) {
    const close = boardStop(openUse, duration, now);
    return { kind: 'close', close, addSeconds: duration };
  }
  if (latestUse?.endedAt && latestUse.userId === userId) {
    if (latestUse.closeReason === 'stop' && latestUse.reportedDurationSeconds === duration) {
      // A replayed stop may come long after the original; a live one repeated (broker
      // redelivery) overlaps the use it already closed.
      const overlaps = secondsBefore(now, duration).getTime() < latestUse.endedAt.getTime() + 2_000;
      if (replay || overlaps) return { kind: 'duplicate', use: latestUse };
    }
    if (latestUse.closeReason === 'orphaned' || latestUse.closeReason === 'superseded') {
      const close = boardStop(latestUse, duration, now);
      return { kind: 'correct', close, addSeconds: duration - (latestUse.countedSeconds ?? 0) };
    }
  }
  const closed = openBoardUse(machineId, userId, secondsBefore(now, duration), now, replay);
  return {
    kind: 'record',
    open: { ...closed, endedAt: now, countedSeconds: duration, reportedDurationSeconds: duration, closeReason: 'stop' },
    addSeconds: duration,
  };
}

/** Open uses whose last message is older than an hour close at that message. */
export function isOrphaned(use: Use, now: Date): boolean {
  return use.endedAt === null && now.getTime() - use.lastSeenAt.getTime() > ORPHAN_AFTER_MS;
}

function boardStop(use: Use, duration: number, now: Date): UseClosing {
  return {
    useId: use.id,
    endedAt: new Date(use.startedAt.getTime() + duration * 1000),
    countedSeconds: duration,
    reason: 'stop',
    reportedDurationSeconds: duration,
    lastSeenAt: later(use.lastSeenAt, now),
  };
}

function openBoardUse(machineId: number, userId: string, startedAt: Date, now: Date, replay: boolean): NewUse {
  return {
    machineId,
    userId,
    startedAt,
    lastSeenAt: now,
    endedAt: null,
    countedSeconds: null,
    reportedDurationSeconds: null,
    replay,
    origin: 'board',
    closeReason: null,
  };
}

export function secondsBetween(from: Date, to: Date): number {
  return Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));
}

function secondsBefore(at: Date, seconds: number): Date {
  return new Date(at.getTime() - seconds * 1000);
}

function later(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}
