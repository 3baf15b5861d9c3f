import type { PageResult } from '../../shared/graphql/pagination.js';
import type { AlarmTransitionKind } from '../domain/alarm.js';
import type {
  NotificationChannel,
  NotificationChannelKind,
  NotificationRule,
} from '../domain/alarm-notification-rules.js';

type Page = { offset: number; limit: number };

/** A channel as stored: whether its webhook is signed is the webhook secrets' to say. */
export type StoredChannel = Omit<NotificationChannel, 'hasSecret'>;

export interface ChannelFields {
  name: string;
  kind: NotificationChannelKind;
  recipients: string[];
  url: string | null;
}

export type RuleFields = Omit<NotificationRule, 'id' | 'createdAt' | 'updatedAt'>;

/** notification_channels (migration AlarmNotifications); writes join the running transaction. */
export abstract class NotificationChannelRepository {
  /** CONFLICT (field name) when the name is taken. */
  abstract create(fields: ChannelFields): Promise<StoredChannel>;
  /** NOT_FOUND when there is no such channel; CONFLICT (field name). */
  abstract update(id: number, fields: Omit<ChannelFields, 'kind'>): Promise<StoredChannel>;
  /** NOT_FOUND when there is no such channel; CONFLICT when a rule sends to it. */
  abstract delete(id: number): Promise<StoredChannel>;
  abstract find(id: number): Promise<StoredChannel | null>;
  abstract findMany(ids: readonly number[]): Promise<StoredChannel[]>;
  abstract list(page: Page): Promise<PageResult<StoredChannel>>;
}

/** notification_rules and notification_rule_channels; writes join the running transaction. */
export abstract class NotificationRuleRepository {
  /** CONFLICT (field name) when the name is taken. */
  abstract create(fields: RuleFields): Promise<NotificationRule>;
  /** NOT_FOUND when there is no such rule; CONFLICT (field name). */
  abstract update(id: number, fields: RuleFields): Promise<NotificationRule>;
  abstract delete(id: number): Promise<NotificationRule>;
  abstract find(id: number): Promise<NotificationRule | null>;
  abstract list(page: Page): Promise<PageResult<NotificationRule>>;
  /** What every transition is matched against. */
  abstract enabled(): Promise<NotificationRule[]>;
  /** Names of the rules that send to this channel. */
  abstract usingChannel(channelId: number): Promise<string[]>;
}

export const NOTIFICATION_OUTCOMES = ['ENQUEUED', 'RATE_LIMITED'] as const;
export type NotificationOutcome = (typeof NOTIFICATION_OUTCOMES)[number];

/** What a rule did with one transition. */
export interface AlarmNotificationRecord {
  id: string;
  ruleId: number;
  alarmId: number;
  transitionId: number;
  transitionKind: AlarmTransitionKind;
  outcome: NotificationOutcome;
  /** Channels a message was enqueued for (0 when held back). */
  channels: number;
  createdAt: Date;
}

export interface NotificationRecordFilter {
  ruleId?: number;
  alarmId?: number;
  outcome?: NotificationOutcome;
}

/**
 * alarm_notifications: one row per (rule, transition), the rate limit's count. Runs inside the
 * transition's transaction.
 */
export abstract class AlarmNotificationLog {
  /**
   * Takes the rate-limited rules' row locks (in id order, so two transitions never wait on
   * each other crosswise) until the transaction ends: counting and recording is then one step
   * for each rule, on every replica.
   */
  abstract lockRules(ruleIds: readonly number[]): Promise<void>;
  /** Notifications the rule enqueued within the last `windowSeconds`. */
  abstract countEnqueued(ruleId: number, windowSeconds: number): Promise<number>;
  /** False when this rule recorded this transition before (nothing to do again). */
  abstract record(entry: Omit<AlarmNotificationRecord, 'id' | 'createdAt'>): Promise<boolean>;
  abstract list(filter: NotificationRecordFilter, page: Page): Promise<PageResult<AlarmNotificationRecord>>;
}
