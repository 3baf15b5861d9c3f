import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import {
  ALARM_SEVERITIES,
  type AlarmSeverity,
  type AlarmSourceKind,
  type AlarmState,
  type AlarmSuppression,
  type AlarmTransitionKind,
} from './alarm.js';

/**
 * Notification rules as data: which alarms (source kinds, types, a minimum severity, a scope
 * of source keys and/or an experiment), on which transitions, to which channels, at most how
 * many per window. Every criterion given must hold; an empty list means "any".
 */
export interface NotificationRule {
  id: number;
  name: string;
  enabled: boolean;
  sourceKinds: AlarmSourceKind[];
  types: string[];
  minSeverity: AlarmSeverity;
  /** Source keys (machine, sensor or PV ids as text, service parts): the scope; empty = any. */
  sourceKeys: string[];
  /** Only alarms of this experiment's PVs. */
  experiment: string | null;
  transitions: AlarmTransitionKind[];
  channelIds: number[];
  rateLimit: RateLimit | null;
  /** Carries the weekly summary digest (its sender is not part of this rule's transitions). */
  weeklyDigest: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface RateLimit {
  /** At most this many notifications (one per transition, whatever its channels)… */
  max: number;
  /** …within this many seconds before each one. */
  windowSeconds: number;
}

export const NOTIFICATION_CHANNEL_KINDS = ['EMAIL', 'WEBHOOK'] as const;
export type NotificationChannelKind = (typeof NOTIFICATION_CHANNEL_KINDS)[number];

export interface NotificationChannel {
  id: number;
  name: string;
  kind: NotificationChannelKind;
  /** EMAIL: where it goes. */
  recipients: string[];
  /** WEBHOOK: where it is POSTed. */
  url: string | null;
  /** WEBHOOK: whether calls are signed (the secret itself is never shown). */
  hasSecret: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** An alarm as a rule sees it after a transition (the lifecycle's AlarmSnapshot has this shape). */
export interface NotifiedAlarm {
  id: number;
  source: { kind: AlarmSourceKind; key: string; name: string; experiment?: string | null };
  type: string;
  severity: AlarmSeverity;
  message: string;
  state: AlarmState;
  suppression: AlarmSuppression | null;
  shelvedUntil: Date | null;
  assigneeId: number | string | null;
  firstRaisedAt: Date;
  lastChangedAt: Date;
  count: number;
  peakValue: number | null;
}

export interface NotifiedTransition {
  id: number;
  kind: AlarmTransitionKind;
  at: Date;
  byUserId: number | string | null;
  note: string | null;
}

/** SEND: enqueue; SUPPRESSED: the rule would have sent, but the alarm is shelved or out of service. */
export type RuleDecision = 'SEND' | 'SUPPRESSED' | 'NOT_MATCHED';

const ACTIVE: readonly AlarmState[] = ['ACTIVE_UNACKNOWLEDGED', 'ACTIVE_ACKNOWLEDGED'];
/** Suppression ending while the alarm is active: it reaches people as a RAISED would have. */
const SUPPRESSION_ENDED: readonly AlarmTransitionKind[] = ['UNSHELVED', 'IN_SERVICE'];
/** The act of suppressing is itself told to rules that ask for it: the last word before silence. */
const SUPPRESSING: readonly AlarmTransitionKind[] = ['SHELVED', 'OUT_OF_SERVICE'];

export function matchesAlarm(rule: NotificationRule, alarm: NotifiedAlarm): boolean {
  return (
    rule.enabled &&
    (!rule.sourceKinds.length || rule.sourceKinds.includes(alarm.source.kind)) &&
    (!rule.types.length || rule.types.includes(alarm.type)) &&
    ALARM_SEVERITIES.indexOf(alarm.severity) <= ALARM_SEVERITIES.indexOf(rule.minSeverity) &&
    (!rule.sourceKeys.length || rule.sourceKeys.includes(alarm.source.key)) &&
    (rule.experiment === null || rule.experiment === (alarm.source.experiment ?? null))
  );
}

function sendsOn(rule: NotificationRule, alarm: NotifiedAlarm, kind: AlarmTransitionKind): boolean {
  if (rule.transitions.includes(kind)) return true;
  return SUPPRESSION_ENDED.includes(kind) && rule.transitions.includes('RAISED') && ACTIVE.includes(alarm.state);
}

/** What a rule does with one transition. */
export function decide(rule: NotificationRule, alarm: NotifiedAlarm, transition: NotifiedTransition): RuleDecision {
  if (!matchesAlarm(rule, alarm) || !sendsOn(rule, alarm, transition.kind)) return 'NOT_MATCHED';
  if (alarm.suppression && !SUPPRESSING.includes(transition.kind)) return 'SUPPRESSED';
  return 'SEND';
}

/** The idempotency key of one notification: a transaction retried or a message re-sent never sends it twice. */
export function notificationKey(alarmId: number, transitionId: number, ruleId: number, channelId: number): string {
  return `alarm:${alarmId}:transition:${transitionId}:rule:${ruleId}:channel:${channelId}`;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The webhook's JSON document: plain data, no links (a receiver may be outside any browser). */
export function webhookDocument(rule: NotificationRule, alarm: NotifiedAlarm, transition: NotifiedTransition) {
  return {
    event: 'alarm.transition',
    rule: { id: rule.id, name: rule.name },
    transition: {
      id: transition.id,
      kind: transition.kind,
      at: iso(transition.at),
      byUserId: transition.byUserId === null ? null : String(transition.byUserId),
      note: transition.note,
    },
    alarm: {
      id: alarm.id,
      source: {
        kind: alarm.source.kind,
        key: alarm.source.key,
        name: alarm.source.name,
        experiment: alarm.source.experiment ?? null,
      },
      type: alarm.type,
      severity: alarm.severity,
      state: alarm.state,
      suppression: alarm.suppression,
      shelvedUntil: iso(alarm.shelvedUntil),
      message: alarm.message,
      count: alarm.count,
      peakValue: alarm.peakValue,
      assigneeId: alarm.assigneeId === null ? null : String(alarm.assigneeId),
      firstRaisedAt: iso(alarm.firstRaisedAt),
      lastChangedAt: iso(alarm.lastChangedAt),
    },
  };
}

const TRANSITION_WORDS: Record<AlarmTransitionKind, string> = {
  RAISED: 'raised',
  RERAISED: 'raised again',
  RETURNED: 'returned to normal (unacknowledged)',
  ACKNOWLEDGED: 'acknowledged',
  CLEARED: 'cleared',
  ASSIGNED: 'assigned',
  SHELVED: 'shelved',
  UNSHELVED: 'unshelved',
  OUT_OF_SERVICE: 'taken out of service',
  IN_SERVICE: 'back in service',
};

/** A readable e-mail: the subject says what and how bad, the body every figure a webhook carries. */
export function notificationEmail(
  rule: NotificationRule,
  alarm: NotifiedAlarm,
  transition: NotifiedTransition,
): { subject: string; text: string } {
  const subject =
    `[Plantgraph] ${alarm.severity} ${alarm.type} on ${alarm.source.name}: ${TRANSITION_WORDS[transition.kind]}`
      .replace(/[\r\n]+/g, ' ')
      .slice(0, 300);
  const lines = [
    alarm.message,
    '',
    `Alarm:       #${alarm.id} ${alarm.type} (${alarm.severity})`,
    `Source:      ${alarm.source.kind} ${alarm.source.name} (${alarm.source.key})${alarm.source.experiment ? `, experiment ${alarm.source.experiment}` : ''}`,
    `State:       ${alarm.state}${alarm.suppression ? `, ${alarm.suppression}` : ''}${alarm.shelvedUntil ? ` until ${iso(alarm.shelvedUntil)}` : ''}`,
    `Raised:      ${iso(alarm.firstRaisedAt)} (${alarm.count} time${alarm.count === 1 ? '' : 's'} while open)`,
    ...(alarm.peakValue === null ? [] : [`Peak value:  ${alarm.peakValue}`]),
    `Transition:  ${transition.kind} at ${iso(transition.at)} by ${transition.byUserId === null ? 'the service' : `user ${transition.byUserId}`}`,
    ...(transition.note ? [`Note:        ${transition.note}`] : []),
    '',
    `Sent by notification rule "${rule.name}".`,
  ];
  // The Mailer refuses more than 100,000 characters; an alarm's message is far shorter, but never fail a transition on it.
  return { subject, text: lines.join('\n').slice(0, 100_000) };
}

const NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._:/()-]{0,99}$/u;

/** Names of channels and rules: 1 to 100 characters, starting with a letter or digit. */
export function checkName(name: string): void {
  if (!NAME.test(name))
    throw new InvalidInputError(
      'A name is 1 to 100 letters, digits, spaces or ._:/()-, starting with a letter or digit',
      {
        name: 'invalid',
      },
    );
}

/** A rule's own consistency (types and lengths are checked at the edge). */
export function checkRule(rule: Pick<NotificationRule, 'name' | 'transitions' | 'channelIds' | 'rateLimit'>): void {
  checkName(rule.name);
  if (!rule.transitions.length)
    throw new InvalidInputError('A rule sends on at least one transition', { transitions: 'must not be empty' });
  if (!rule.channelIds.length)
    throw new InvalidInputError('A rule sends to at least one channel', { channelIds: 'must not be empty' });
  if (rule.rateLimit && (rule.rateLimit.max < 1 || rule.rateLimit.windowSeconds < 1))
    throw new InvalidInputError('A rate limit allows at least 1 notification in a window of at least 1 second', {
      rateLimit: 'max and windowSeconds must be at least 1',
    });
}
