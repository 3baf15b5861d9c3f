import type { AlarmState, AlarmTransitionKind } from './alarm.js';

/**
 * Alarm health figures as ISA-18.2 (and EEMUA 191) measure them, over a window:
 *
 * - alarms per operator-hour: annunciations (raises and re-raises) per hour of the window
 *   (one operator position: the plant has one alarm list);
 * - peak per 10 minutes: the most annunciations in one of the window's consecutive
 *   10-minute periods (starting at `from`); a period with more than FLOOD_THRESHOLD is a flood;
 * - chattering: alarms annunciated CHATTER_COUNT times or more within CHATTER_WINDOW_MS;
 * - stale: alarms active continuously for more than STALE_AFTER_MS at some time in the window.
 */

export const PERIOD_MS = 10 * 60_000;
/** ISA-18.2's alarm flood: more than 10 alarms in 10 minutes. */
export const FLOOD_THRESHOLD = 10;
export const CHATTER_COUNT = 3;
export const CHATTER_WINDOW_MS = 60_000;
export const STALE_AFTER_MS = 24 * 3_600_000;

export interface HealthTransition {
  alarmId: number;
  kind: AlarmTransitionKind;
  at: Date;
  stateAfter: AlarmState;
}

export interface AlarmHealth {
  from: Date;
  to: Date;
  hours: number;
  annunciations: number;
  alarmsPerHour: number;
  peakPer10Minutes: number;
  /** Start of the (first) busiest 10-minute period; null when nothing was annunciated. */
  peakPeriodStart: Date | null;
  floodPeriods: number;
  chatteringAlarmIds: number[];
  staleAlarmIds: number[];
}

const annunciates = (kind: AlarmTransitionKind) => kind === 'RAISED' || kind === 'RERAISED';

/**
 * `transitions`: those of every alarm that may matter, before `to` (earlier ones too, so
 * that an alarm active since before `from` is seen active). `from` < `to`.
 */
export function alarmHealth(transitions: readonly HealthTransition[], from: Date, to: Date): AlarmHealth {
  const windowMs = to.getTime() - from.getTime();
  if (!(windowMs > 0)) throw new Error('The window must end after it starts');
  const sorted = [...transitions].sort((a, b) => a.at.getTime() - b.at.getTime() || a.alarmId - b.alarmId);
  const inWindow = sorted.filter((t) => t.at >= from && t.at < to);
  const raises = inWindow.filter((t) => annunciates(t.kind));

  const periods = new Map<number, number>();
  for (const t of raises) {
    const index = Math.floor((t.at.getTime() - from.getTime()) / PERIOD_MS);
    periods.set(index, (periods.get(index) ?? 0) + 1);
  }
  let peak = 0;
  let peakIndex: number | null = null;
  for (const [index, count] of [...periods].sort((a, b) => a[0] - b[0]))
    if (count > peak) [peak, peakIndex] = [count, index];

  const hours = windowMs / 3_600_000;
  return {
    from,
    to,
    hours,
    annunciations: raises.length,
    alarmsPerHour: raises.length / hours,
    peakPer10Minutes: peak,
    peakPeriodStart: peakIndex === null ? null : new Date(from.getTime() + peakIndex * PERIOD_MS),
    floodPeriods: [...periods.values()].filter((c) => c > FLOOD_THRESHOLD).length,
    chatteringAlarmIds: chattering(raises),
    staleAlarmIds: stale(sorted, from, to),
  };
}

function byAlarm(transitions: readonly HealthTransition[]): Map<number, HealthTransition[]> {
  const grouped = new Map<number, HealthTransition[]>();
  for (const t of transitions) {
    const list = grouped.get(t.alarmId) ?? [];
    list.push(t);
    grouped.set(t.alarmId, list);
  }
  return grouped;
}

/** Sliding window over each alarm's annunciations (sorted by time). */
function chattering(raises: readonly HealthTransition[]): number[] {
  const ids: number[] = [];
  for (const [alarmId, list] of byAlarm(raises))
    for (let i = 0; i + CHATTER_COUNT - 1 < list.length; i++)
      if (list[i + CHATTER_COUNT - 1].at.getTime() - list[i].at.getTime() <= CHATTER_WINDOW_MS) {
        ids.push(alarmId);
        break;
      }
  return ids.sort((a, b) => a - b);
}

/** Active intervals from the states after each transition; one still active is so until `to`. */
function stale(sorted: readonly HealthTransition[], from: Date, to: Date): number[] {
  const ids: number[] = [];
  for (const [alarmId, list] of byAlarm(sorted.filter((t) => t.at < to))) {
    let activeSince: Date | null = null;
    const isStale = (end: Date) =>
      activeSince !== null && end > from && end.getTime() - activeSince.getTime() > STALE_AFTER_MS;
    let found = false;
    for (const t of list) {
      const activeAfter = t.stateAfter === 'ACTIVE_UNACKNOWLEDGED' || t.stateAfter === 'ACTIVE_ACKNOWLEDGED';
      if (activeAfter && activeSince === null) activeSince = t.at;
      if (!activeAfter && activeSince !== null) {
        found ||= isStale(t.at);
        activeSince = null;
      }
    }
    if (found || isStale(to)) ids.push(alarmId);
  }
  return ids.sort((a, b) => a - b);
}
