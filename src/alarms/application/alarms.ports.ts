import type { PageResult } from '../../shared/graphql/pagination.js';
import type { HealthTransition } from '../domain/alarm-health.js';
import type {
  AlarmCondition,
  AlarmSeverity,
  AlarmSnapshot,
  AlarmSource,
  AlarmSourceKind,
  AlarmState,
  AlarmSuppression,
  AlarmTransition,
  AlarmTransitionKind,
} from './alarm-signals.js';

/** An alarm as stored: the snapshot notification rules see, and what people are shown. */
export interface StoredAlarm extends AlarmSnapshot {
  lastRaisedAt: Date;
  shelvedBy: string | null;
  shelveNote: string | null;
  closedAt: Date | null;
}

export interface StoredTransition extends AlarmTransition {
  alarmId: number;
  stateAfter: AlarmState;
  severity: AlarmSeverity;
}

export interface AlarmFilter {
  states?: readonly AlarmState[] | null;
  severities?: readonly AlarmSeverity[] | null;
  sourceKinds?: readonly AlarmSourceKind[] | null;
  sourceKeys?: readonly string[] | null;
  types?: readonly string[] | null;
  /** Alarms open at some time in [from, to): raised before `to`, closed at or after `from` (or open). */
  from?: Date | null;
  to?: Date | null;
  suppressed?: boolean | null;
}

export interface AlarmChanges {
  state?: AlarmState;
  suppression?: AlarmSuppression | null;
  shelvedUntil?: Date | null;
  shelvedBy?: string | null;
  shelveNote?: string | null;
  assigneeId?: string | null;
}

export interface OutOfServiceSource {
  kind: AlarmSourceKind;
  key: string;
  byUserId: string | null;
  note: string | null;
  since: Date;
}

export type SourceRef = Pick<AlarmSource, 'kind' | 'key'>;

type Page = { offset: number; limit: number };

/** SQL over alarms, alarm_transitions and alarm_sources_out_of_service; joins the ambient transaction. */
export abstract class AlarmRepository {
  /**
   * One statement: a new alarm, or the open one of (source, type) re-raised (count, peak,
   * escalated severity, active again). Null when `at` is not newer than the alarm's last
   * raise (the same event seen again), also when the alarm it raised is closed since.
   */
  abstract raise(condition: AlarmCondition): Promise<{ alarm: StoredAlarm; kind: 'RAISED' | 'RERAISED' } | null>;
  /** One statement: the active alarm of (source, type) returns (or clears, when acknowledged); null when none or `at` is older than its last raise. */
  abstract clear(
    source: SourceRef,
    type: string,
    at: Date,
  ): Promise<{ alarm: StoredAlarm; kind: 'RETURNED' | 'CLEARED' } | null>;
  /** The alarm, locked until the transaction ends. */
  abstract lock(id: number): Promise<StoredAlarm | null>;
  abstract update(id: number, changes: AlarmChanges, at: Date): Promise<StoredAlarm>;
  abstract addTransition(
    alarm: StoredAlarm,
    transition: { kind: AlarmTransitionKind; at: Date; byUserId: string | null; note: string | null },
  ): Promise<StoredTransition>;
  /** Atomically un-shelves every alarm whose shelf ran out: each is returned to exactly one caller. */
  abstract takeRunOutShelves(now: Date): Promise<StoredAlarm[]>;

  abstract outOfService(source: SourceRef): Promise<OutOfServiceSource | null>;
  /** False when the source was out of service already. */
  abstract putOutOfService(source: SourceRef, byUserId: string, note: string | null): Promise<boolean>;
  /** False when the source was not out of service. */
  abstract putInService(source: SourceRef): Promise<boolean>;
  /** Open alarms of the source, locked, oldest first. */
  abstract lockOpenOf(source: SourceRef): Promise<StoredAlarm[]>;

  abstract find(id: number): Promise<StoredAlarm | null>;
  abstract list(filter: AlarmFilter, page: Page): Promise<PageResult<StoredAlarm>>;
  abstract history(alarmId: number, page: Page): Promise<PageResult<StoredTransition>>;
  /** Open alarms counted by state and by severity, and how many of them are suppressed. */
  abstract openCounts(): Promise<{
    byState: Map<AlarmState, number>;
    bySeverity: Map<AlarmSeverity, number>;
    suppressed: number;
  }>;
  /** Transitions before `to` of every alarm open at some time in [from, to). */
  abstract healthTransitions(from: Date, to: Date): Promise<HealthTransition[]>;
}

/**
 * Runs a callback once the transaction the caller is in has committed (never when it rolls
 * back): events go out only for what is stored, even when a source raises inside its own
 * transaction.
 */
export abstract class AfterCommit {
  abstract run(callback: () => void): void;
}
