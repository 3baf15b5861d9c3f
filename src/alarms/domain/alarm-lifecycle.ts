import { ConflictError, InvalidInputError } from '../../shared/errors/domain-errors.js';
import {
  ALARM_SEVERITIES,
  type AlarmSeverity,
  type AlarmState,
  type AlarmSuppression,
  type AlarmTransitionKind,
} from './alarm.js';

/**
 * The ISA-18.2 alarm state machine. The raise and the clear run as single SQL statements
 * (two replicas may race on them), which repeat these rules in SQL; the unit tests here
 * are their specification, the alarm lifecycle e2e test checks the SQL against them.
 */

export const ACTIVE_STATES: readonly AlarmState[] = ['ACTIVE_UNACKNOWLEDGED', 'ACTIVE_ACKNOWLEDGED'];

export const isOpen = (state: AlarmState): boolean => state !== 'NORMAL';
export const isActive = (state: AlarmState): boolean => ACTIVE_STATES.includes(state);

/** Position in ALARM_SEVERITIES: 0 is the most severe. */
export const severityRank = (severity: AlarmSeverity): number => ALARM_SEVERITIES.indexOf(severity);

/** While open an alarm keeps its most severe raise: severity escalates, never de-escalates. */
export function escalatedSeverity(current: AlarmSeverity, raised: AlarmSeverity): AlarmSeverity {
  return severityRank(raised) < severityRank(current) ? raised : current;
}

/**
 * A raise while the alarm is open: active again, and unacknowledged unless it was
 * acknowledged and the raise did not make it more severe (an operator acknowledged this
 * severity; a worse one must be acknowledged again).
 */
export function stateAfterReraise(current: AlarmState, currentSeverity: AlarmSeverity, raised: AlarmSeverity) {
  if (!isOpen(current)) throw new Error('A closed alarm is not re-raised: a new alarm is');
  const escalates = severityRank(raised) < severityRank(currentSeverity);
  return current === 'ACTIVE_ACKNOWLEDGED' && !escalates ? 'ACTIVE_ACKNOWLEDGED' : 'ACTIVE_UNACKNOWLEDGED';
}

/** The condition ended: an acknowledged alarm is over, an unacknowledged one waits for its acknowledgement. */
export function clearTransition(current: AlarmState): { state: AlarmState; kind: AlarmTransitionKind } | null {
  if (current === 'ACTIVE_ACKNOWLEDGED') return { state: 'NORMAL', kind: 'CLEARED' };
  if (current === 'ACTIVE_UNACKNOWLEDGED') return { state: 'RETURNED_UNACKNOWLEDGED', kind: 'RETURNED' };
  return null;
}

/** Acknowledging: only an unacknowledged alarm; one that has returned to normal is then over. */
export function acknowledgedState(current: AlarmState): AlarmState {
  if (current === 'ACTIVE_UNACKNOWLEDGED') return 'ACTIVE_ACKNOWLEDGED';
  if (current === 'RETURNED_UNACKNOWLEDGED') return 'NORMAL';
  throw new ConflictError(current === 'NORMAL' ? 'The alarm is closed' : 'The alarm is acknowledged already', {
    state: current,
  });
}

export function requireOpen(current: AlarmState, what: string): void {
  if (!isOpen(current)) throw new ConflictError(`A closed alarm cannot be ${what}`, { state: current });
}

/** How long an alarm may be shelved: shelving is for a known nuisance, not for hiding an alarm for good. */
export const MAX_SHELVE_DAYS = 30;
export const MAX_NOTE_LENGTH = 1000;

/** Shelving: an open alarm not out of service, until a future time at most MAX_SHELVE_DAYS ahead, with a reason. */
export function checkShelve(
  alarm: { state: AlarmState; suppression: AlarmSuppression | null },
  until: Date,
  note: string | null | undefined,
  now: Date,
): string {
  requireOpen(alarm.state, 'shelved');
  if (alarm.suppression === 'OUT_OF_SERVICE')
    throw new ConflictError('The alarm’s source is out of service', { suppression: alarm.suppression });
  const problems: Record<string, string> = {};
  if (!(until.getTime() > now.getTime())) problems.until = 'must be in the future';
  else if (until.getTime() - now.getTime() > MAX_SHELVE_DAYS * 86_400_000)
    problems.until = `must be at most ${MAX_SHELVE_DAYS} days ahead`;
  const trimmed = note?.trim() ?? '';
  if (!trimmed) problems.note = 'is required: say why the alarm is shelved';
  else if (trimmed.length > MAX_NOTE_LENGTH) problems.note = `must be at most ${MAX_NOTE_LENGTH} characters`;
  if (Object.keys(problems).length) throw new InvalidInputError('The alarm cannot be shelved so', problems);
  return trimmed;
}

export function checkUnshelve(alarm: { suppression: AlarmSuppression | null }): void {
  if (alarm.suppression !== 'SHELVED')
    throw new ConflictError('The alarm is not shelved', { suppression: alarm.suppression });
}

/** An optional note: trimmed, empty is none. */
export function optionalNote(note: string | null | undefined): string | null {
  const trimmed = note?.trim() ?? '';
  if (trimmed.length > MAX_NOTE_LENGTH)
    throw new InvalidInputError('The note is too long', { note: `must be at most ${MAX_NOTE_LENGTH} characters` });
  return trimmed || null;
}
