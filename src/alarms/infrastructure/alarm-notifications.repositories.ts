import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { QueryFailedError, type DataSource } from 'typeorm';
import { transactionalManager } from '../../shared/database/transactions.adapter.js';
import { translateUniqueViolation } from '../../shared/database/unique-violation.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../../shared/errors/domain-errors.js';
import type { PageResult } from '../../shared/graphql/pagination.js';
import type { AlarmSeverity, AlarmSourceKind, AlarmTransitionKind } from '../domain/alarm.js';
import type { NotificationChannelKind, NotificationRule } from '../domain/alarm-notification-rules.js';
import {
  AlarmNotificationLog,
  NotificationChannelRepository,
  NotificationRuleRepository,
  type AlarmNotificationRecord,
  type ChannelFields,
  type NotificationOutcome,
  type NotificationRecordFilter,
  type RuleFields,
  type StoredChannel,
} from '../application/alarm-notifications.ports.js';

type Page = { offset: number; limit: number };
type Query = <T>(sql: string, params?: unknown[]) => Promise<T>;

/** Queries join the running transaction (a transition's, or a configuration change's). */
const queryOf =
  (dataSource: DataSource): Query =>
  <T>(sql: string, params: unknown[] = []) =>
    transactionalManager(dataSource.manager).query(sql, params) as Promise<T>;

const FOREIGN_KEY_VIOLATION = '23503';
const isForeignKeyViolation = (error: unknown) =>
  error instanceof QueryFailedError && (error.driverError as { code?: string }).code === FOREIGN_KEY_VIOLATION;

interface ChannelRow {
  id: number;
  name: string;
  kind: NotificationChannelKind;
  recipients: string[];
  url: string | null;
  created_at: Date;
  updated_at: Date;
}

const toChannel = (r: ChannelRow): StoredChannel => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  recipients: r.recipients,
  url: r.url,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const CHANNEL_NAME_TAKEN = {
  UQ_notification_channels_name: { field: 'name', message: 'A notification channel of this name exists already' },
};
const RULE_NAME_TAKEN = {
  UQ_notification_rules_name: { field: 'name', message: 'A notification rule of this name exists already' },
};

/** SQL over notification_channels (no entity: migration AlarmNotifications). */
@Injectable()
export class SqlNotificationChannelRepository extends NotificationChannelRepository {
  private readonly query: Query;

  constructor(@InjectDataSource() dataSource: DataSource) {
    super();
    this.query = queryOf(dataSource);
  }

  async create(f: ChannelFields): Promise<StoredChannel> {
    const rows = await translateUniqueViolation(
      this.query<ChannelRow[]>(
        'INSERT INTO notification_channels (name, kind, recipients, url) VALUES ($1, $2, $3::text[], $4) RETURNING *',
        [f.name, f.kind, f.recipients, f.url],
      ),
      CHANNEL_NAME_TAKEN,
    );
    return toChannel(rows[0]);
  }

  async update(id: number, f: Omit<ChannelFields, 'kind'>): Promise<StoredChannel> {
    const rows = await translateUniqueViolation(
      this.query<ChannelRow[]>(
        `WITH changed AS (UPDATE notification_channels SET name = $2, recipients = $3::text[], url = $4, updated_at = now()
           WHERE id = $1 RETURNING *) SELECT * FROM changed`,
        [id, f.name, f.recipients, f.url],
      ),
      CHANNEL_NAME_TAKEN,
    );
    if (!rows.length) throw new NotFoundError('Notification channel', id);
    return toChannel(rows[0]);
  }

  async delete(id: number): Promise<StoredChannel> {
    let rows: ChannelRow[];
    try {
      rows = await this.query<ChannelRow[]>(
        'WITH gone AS (DELETE FROM notification_channels WHERE id = $1 RETURNING *) SELECT * FROM gone',
        [id],
      );
    } catch (error) {
      // The foreign key is the guarantee when a rule took the channel in meanwhile.
      if (isForeignKeyViolation(error))
        throw new ConflictError('A notification rule sends to this channel: change the rule first', { field: 'id' });
      throw error;
    }
    if (!rows.length) throw new NotFoundError('Notification channel', id);
    return toChannel(rows[0]);
  }

  async find(id: number): Promise<StoredChannel | null> {
    const rows = await this.query<ChannelRow[]>('SELECT * FROM notification_channels WHERE id = $1', [id]);
    return rows[0] ? toChannel(rows[0]) : null;
  }

  async findMany(ids: readonly number[]): Promise<StoredChannel[]> {
    if (!ids.length) return [];
    const rows = await this.query<ChannelRow[]>(
      'SELECT * FROM notification_channels WHERE id = ANY($1::int[]) ORDER BY id',
      [[...ids]],
    );
    return rows.map(toChannel);
  }

  async list(page: Page): Promise<PageResult<StoredChannel>> {
    const rows = await this.query<ChannelRow[]>(
      'SELECT * FROM notification_channels ORDER BY name OFFSET $1 LIMIT $2',
      [page.offset, page.limit],
    );
    const [{ n }] = await this.query<Array<{ n: number }>>('SELECT count(*)::int AS n FROM notification_channels');
    return { items: rows.map(toChannel), totalCount: n, ...page };
  }
}

interface RuleRow {
  id: number;
  name: string;
  enabled: boolean;
  source_kinds: AlarmSourceKind[];
  types: string[];
  min_severity: AlarmSeverity;
  source_keys: string[];
  experiment: string | null;
  transitions: AlarmTransitionKind[];
  rate_limit_max: number | null;
  rate_limit_window_seconds: number | null;
  weekly_digest: boolean;
  created_at: Date;
  updated_at: Date;
  channel_ids: number[];
}

const toRule = (r: RuleRow): NotificationRule => ({
  id: r.id,
  name: r.name,
  enabled: r.enabled,
  sourceKinds: r.source_kinds,
  types: r.types,
  minSeverity: r.min_severity,
  sourceKeys: r.source_keys,
  experiment: r.experiment,
  transitions: r.transitions,
  channelIds: r.channel_ids,
  rateLimit: r.rate_limit_max === null ? null : { max: r.rate_limit_max, windowSeconds: r.rate_limit_window_seconds! },
  weeklyDigest: r.weekly_digest,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const RULE_SELECT = `SELECT r.*, COALESCE(
    (SELECT array_agg(c.channel_id ORDER BY c.channel_id) FROM notification_rule_channels c WHERE c.rule_id = r.id),
    '{}') AS channel_ids
  FROM notification_rules r`;

const ruleParams = (f: RuleFields) => [
  f.name,
  f.enabled,
  f.sourceKinds,
  f.types,
  f.minSeverity,
  f.sourceKeys,
  f.experiment,
  f.transitions,
  f.rateLimit?.max ?? null,
  f.rateLimit?.windowSeconds ?? null,
  f.weeklyDigest,
];

/** SQL over notification_rules and notification_rule_channels. */
@Injectable()
export class SqlNotificationRuleRepository extends NotificationRuleRepository {
  private readonly query: Query;

  constructor(@InjectDataSource() dataSource: DataSource) {
    super();
    this.query = queryOf(dataSource);
  }

  async create(f: RuleFields): Promise<NotificationRule> {
    const [row] = await translateUniqueViolation(
      this.query<Array<{ id: number }>>(
        `INSERT INTO notification_rules (name, enabled, source_kinds, types, min_severity, source_keys, experiment,
           transitions, rate_limit_max, rate_limit_window_seconds, weekly_digest)
         VALUES ($1, $2, $3::text[], $4::text[], $5, $6::text[], $7, $8::text[], $9, $10, $11) RETURNING id`,
        ruleParams(f),
      ),
      RULE_NAME_TAKEN,
    );
    await this.setChannels(row.id, f.channelIds);
    return (await this.find(row.id))!;
  }

  async update(id: number, f: RuleFields): Promise<NotificationRule> {
    const rows = await translateUniqueViolation(
      this.query<Array<{ id: number }>>(
        `WITH changed AS (UPDATE notification_rules SET name = $2, enabled = $3, source_kinds = $4::text[],
           types = $5::text[], min_severity = $6, source_keys = $7::text[], experiment = $8, transitions = $9::text[],
           rate_limit_max = $10, rate_limit_window_seconds = $11, weekly_digest = $12, updated_at = now()
         WHERE id = $1 RETURNING id) SELECT id FROM changed`,
        [id, ...ruleParams(f)],
      ),
      RULE_NAME_TAKEN,
    );
    if (!rows.length) throw new NotFoundError('Notification rule', id);
    await this.query('DELETE FROM notification_rule_channels WHERE rule_id = $1', [id]);
    await this.setChannels(id, f.channelIds);
    return (await this.find(id))!;
  }

  private async setChannels(ruleId: number, channelIds: readonly number[]): Promise<void> {
    try {
      await this.query(
        `INSERT INTO notification_rule_channels (rule_id, channel_id)
         SELECT $1, unnest($2::int[]) ON CONFLICT DO NOTHING`,
        [ruleId, [...channelIds]],
      );
    } catch (error) {
      if (isForeignKeyViolation(error))
        throw new InvalidInputError('A channel of the rule does not exist', { channelIds: 'names an unknown channel' });
      throw error;
    }
  }

  async delete(id: number): Promise<NotificationRule> {
    const rule = await this.find(id);
    if (!rule) throw new NotFoundError('Notification rule', id);
    await this.query('DELETE FROM notification_rules WHERE id = $1', [id]);
    return rule;
  }

  async find(id: number): Promise<NotificationRule | null> {
    const rows = await this.query<RuleRow[]>(`${RULE_SELECT} WHERE r.id = $1`, [id]);
    return rows[0] ? toRule(rows[0]) : null;
  }

  async list(page: Page): Promise<PageResult<NotificationRule>> {
    const rows = await this.query<RuleRow[]>(`${RULE_SELECT} ORDER BY r.name OFFSET $1 LIMIT $2`, [
      page.offset,
      page.limit,
    ]);
    const [{ n }] = await this.query<Array<{ n: number }>>('SELECT count(*)::int AS n FROM notification_rules');
    return { items: rows.map(toRule), totalCount: n, ...page };
  }

  async enabled(): Promise<NotificationRule[]> {
    const rows = await this.query<RuleRow[]>(`${RULE_SELECT} WHERE r.enabled ORDER BY r.id`);
    return rows.map(toRule);
  }

  async usingChannel(channelId: number): Promise<string[]> {
    const rows = await this.query<Array<{ name: string }>>(
      `SELECT r.name FROM notification_rules r JOIN notification_rule_channels c ON c.rule_id = r.id
       WHERE c.channel_id = $1 ORDER BY r.name`,
      [channelId],
    );
    return rows.map((r) => r.name);
  }
}

interface RecordRow {
  id: string;
  rule_id: number;
  alarm_id: string;
  transition_id: string;
  transition_kind: AlarmTransitionKind;
  outcome: NotificationOutcome;
  channels: number;
  created_at: Date;
}

const toRecord = (r: RecordRow): AlarmNotificationRecord => ({
  id: String(r.id),
  ruleId: r.rule_id,
  alarmId: Number(r.alarm_id),
  transitionId: Number(r.transition_id),
  transitionKind: r.transition_kind,
  outcome: r.outcome,
  channels: r.channels,
  createdAt: r.created_at,
});

/** SQL over alarm_notifications; a transition's calls run in its transaction. */
@Injectable()
export class SqlAlarmNotificationLog extends AlarmNotificationLog {
  private readonly query: Query;

  constructor(@InjectDataSource() dataSource: DataSource) {
    super();
    this.query = queryOf(dataSource);
  }

  async lockRules(ruleIds: readonly number[]): Promise<void> {
    if (!ruleIds.length) return;
    await this.query('SELECT id FROM notification_rules WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE', [
      [...ruleIds],
    ]);
  }

  async countEnqueued(ruleId: number, windowSeconds: number): Promise<number> {
    // clock_timestamp, not now(): a transaction that waited for the rule's lock counts from when it got it.
    const [{ n }] = await this.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM alarm_notifications
       WHERE rule_id = $1 AND outcome = 'ENQUEUED' AND created_at > clock_timestamp() - $2 * interval '1 second'`,
      [ruleId, windowSeconds],
    );
    return n;
  }

  async record(e: Omit<AlarmNotificationRecord, 'id' | 'createdAt'>): Promise<boolean> {
    const rows = await this.query<unknown[]>(
      `INSERT INTO alarm_notifications (rule_id, alarm_id, transition_id, transition_kind, outcome, channels, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp())
       ON CONFLICT (rule_id, transition_id) DO NOTHING RETURNING id`,
      [e.ruleId, e.alarmId, e.transitionId, e.transitionKind, e.outcome, e.channels],
    );
    return rows.length > 0;
  }

  async list(filter: NotificationRecordFilter, page: Page): Promise<PageResult<AlarmNotificationRecord>> {
    const params: unknown[] = [filter.ruleId ?? null, filter.alarmId ?? null, filter.outcome ?? null];
    const where = `WHERE ($1::int IS NULL OR rule_id = $1) AND ($2::bigint IS NULL OR alarm_id = $2)
      AND ($3::text IS NULL OR outcome = $3)`;
    const rows = await this.query<RecordRow[]>(
      `SELECT * FROM alarm_notifications ${where} ORDER BY id DESC OFFSET $4 LIMIT $5`,
      [...params, page.offset, page.limit],
    );
    const [{ n }] = await this.query<Array<{ n: number }>>(
      `SELECT count(*)::int AS n FROM alarm_notifications ${where}`,
      params,
    );
    return { items: rows.map(toRecord), totalCount: n, ...page };
  }
}
