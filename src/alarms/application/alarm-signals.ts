/**
 * The alarms context's contract with its two neighbours inside the context:
 *
 * - alarm sources (application/sources/*) turn other contexts' events into conditions and
 *   call AlarmSignals.raise / clear; the alarm lifecycle (AlarmsService) implements it;
 * - notification rules implement AlarmTransitionHooks: the lifecycle calls it inside the
 *   transaction of every transition, so that what a rule sends is enqueued (shared/outbox)
 *   with the transition or not at all.
 */

export {
  ALARM_SEVERITIES,
  ALARM_SOURCE_KINDS,
  ALARM_STATES,
  ALARM_SUPPRESSIONS,
  ALARM_TRANSITION_KINDS,
  type AlarmSeverity,
  type AlarmSourceKind,
  type AlarmState,
  type AlarmSuppression,
  type AlarmTransitionKind,
} from '../domain/alarm.js';
import type {
  AlarmSeverity,
  AlarmSourceKind,
  AlarmState,
  AlarmSuppression,
  AlarmTransitionKind,
} from '../domain/alarm.js';

export interface AlarmSource {
  kind: AlarmSourceKind;
  /** Stable identity within the kind: a machine's, sensor's or PV's id as text, a board's machine id, a service part ('database', 'broker', 'ingestion'). */
  key: string;
  /** For people: machine code, sensor tag, PV name, … */
  name: string;
  /** The experiment a PV belongs to (its name), for rules scoped to an experiment. */
  experiment?: string | null;
}

export interface AlarmCondition {
  source: AlarmSource;
  /** What is wrong, e.g. OUT_OF_STANDARD, ANOMALY_WARNING, ANOMALY_CRITICAL, LEAK_CONFIRMED, PV_OUT_OF_BAND, MAINTENANCE_OVERDUE, BOARD_OFFLINE, DATABASE_DOWN. */
  type: string;
  severity: AlarmSeverity;
  message: string;
  /** The value that raised it, when there is one (the peak is kept). */
  value?: number | null;
  at: Date;
}

export abstract class AlarmSignals {
  /**
   * The condition holds: raises an alarm for (source, type), or, while one is open, updates
   * it (count of re-raises, peak value, severity, message). Safe to call from several
   * replicas at once: the database keeps one open alarm per (source, type).
   */
  abstract raise(condition: AlarmCondition): Promise<void>;
  /** The condition has ended: the open alarm for (source, type), if any, returns to normal. */
  abstract clear(source: Pick<AlarmSource, 'kind' | 'key'>, type: string, at: Date, message?: string): Promise<void>;
}

/** An alarm as a notification rule sees it, after the transition. */
export interface AlarmSnapshot {
  id: number;
  source: AlarmSource;
  type: string;
  severity: AlarmSeverity;
  message: string;
  state: AlarmState;
  suppression: AlarmSuppression | null;
  shelvedUntil: Date | null;
  /** A user's id (users have UUIDs). */
  assigneeId: string | null;
  firstRaisedAt: Date;
  lastChangedAt: Date;
  /** Raises while open, the first included. */
  count: number;
  peakValue: number | null;
}

export interface AlarmTransition {
  id: number;
  kind: AlarmTransitionKind;
  at: Date;
  /** The user who did it; null for the service (a source, a shelf running out). */
  byUserId: string | null;
  note: string | null;
}

export abstract class AlarmTransitionHooks {
  /** Runs inside the transition's transaction (Transactions.run): throwing rolls the transition back. */
  abstract withinTransaction(alarm: AlarmSnapshot, transition: AlarmTransition): Promise<void>;
}
