import { Injectable } from '@nestjs/common';
import { Transactions } from '../../shared/database/transactions.js';
import { ConflictError, InvalidInputError, NotFoundError } from '../../shared/errors/domain-errors.js';
import type { PageResult } from '../../shared/graphql/pagination.js';
import { checkEmail } from '../../shared/mail/email-message.js';
import { Webhooks } from '../../shared/webhook/webhooks.service.js';
import {
  checkName,
  checkRule,
  type NotificationChannel,
  type NotificationChannelKind,
  type NotificationRule,
} from '../domain/alarm-notification-rules.js';
import {
  AlarmNotificationLog,
  NotificationChannelRepository,
  NotificationRuleRepository,
  type AlarmNotificationRecord,
  type NotificationRecordFilter,
  type RuleFields,
  type StoredChannel,
} from './alarm-notifications.ports.js';
import { channelSecretRef } from './alarm-notifications.service.js';

type Page = { offset: number; limit: number };

export interface ChannelInput {
  name?: string;
  recipients?: string[] | null;
  url?: string | null;
  /** WEBHOOK: a new secret; null removes it (calls go unsigned); absent keeps it. */
  secret?: string | null;
}

/** Absent or null keeps a field (create: its default), except experiment and rateLimit, which null removes. */
export type RuleInput = { [K in keyof RuleFields]?: RuleFields[K] | null };

/**
 * Notification channels and rules (alarms:configure). Inputs are checked naming the field;
 * a webhook's secret goes to shared/webhook's store in the same transaction and is never
 * returned: a channel shows only whether it has one.
 */
@Injectable()
export class AlarmNotificationConfigService {
  constructor(
    private readonly channels: NotificationChannelRepository,
    private readonly rules: NotificationRuleRepository,
    private readonly log: AlarmNotificationLog,
    private readonly webhooks: Webhooks,
    private readonly transactions: Transactions,
  ) {}

  async listChannels(page: Page): Promise<PageResult<NotificationChannel>> {
    const result = await this.channels.list(page);
    return { ...result, items: await this.withSecretFlags(result.items) };
  }

  createChannel(kind: NotificationChannelKind, input: ChannelInput & { name: string }): Promise<NotificationChannel> {
    const fields = this.checkedChannel(kind, input);
    return this.transactions.run(async () => {
      const channel = await this.channels.create({ kind, ...fields });
      if (kind === 'WEBHOOK' && input.secret) await this.webhooks.setSecret(channelSecretRef(channel.id), input.secret);
      return (await this.withSecretFlags([channel]))[0];
    });
  }

  updateChannel(id: number, input: ChannelInput): Promise<NotificationChannel> {
    return this.transactions.run(async () => {
      const current = await this.channels.find(id);
      if (!current) throw new NotFoundError('Notification channel', id);
      const fields = this.checkedChannel(current.kind, {
        name: input.name ?? current.name,
        recipients: input.recipients === undefined ? current.recipients : input.recipients,
        url: input.url === undefined ? current.url : input.url,
        secret: input.secret,
      });
      const channel = await this.channels.update(id, fields);
      if (current.kind === 'WEBHOOK' && input.secret !== undefined)
        await this.webhooks.setSecret(channelSecretRef(id), input.secret);
      return (await this.withSecretFlags([channel]))[0];
    });
  }

  deleteChannel(id: number): Promise<NotificationChannel> {
    return this.transactions.run(async () => {
      const users = await this.rules.usingChannel(id);
      if (users.length)
        throw new ConflictError(`Notification rules send to this channel: ${users.join(', ')}`, { rules: users });
      const [shown] = await this.withSecretFlags([await this.channels.delete(id)]);
      // Messages still pending for it fail visibly (no secret) rather than go out unsigned.
      await this.webhooks.setSecret(channelSecretRef(id), null);
      return shown;
    });
  }

  listRules(page: Page): Promise<PageResult<NotificationRule>> {
    return this.rules.list(page);
  }

  createRule(input: RuleInput & { name: string; transitions: RuleFields['transitions']; channelIds: number[] }) {
    const fields = this.checkedRule(input, null);
    return this.transactions.run(async () => {
      await this.checkChannelsExist(fields.channelIds);
      return this.rules.create(fields);
    });
  }

  updateRule(id: number, input: RuleInput): Promise<NotificationRule> {
    return this.transactions.run(async () => {
      const current = await this.rules.find(id);
      if (!current) throw new NotFoundError('Notification rule', id);
      const fields = this.checkedRule(input, current);
      await this.checkChannelsExist(fields.channelIds);
      return this.rules.update(id, fields);
    });
  }

  deleteRule(id: number): Promise<NotificationRule> {
    return this.rules.delete(id);
  }

  notifications(filter: NotificationRecordFilter, page: Page): Promise<PageResult<AlarmNotificationRecord>> {
    return this.log.list(filter, page);
  }

  private checkedChannel(kind: NotificationChannelKind, input: ChannelInput & { name: string }) {
    checkName(input.name);
    if (kind === 'EMAIL') {
      if (input.url) throw new InvalidInputError('An e-mail channel has no URL', { url: 'must be empty for EMAIL' });
      if (input.secret) throw new InvalidInputError('An e-mail channel has no secret', { secret: 'only for WEBHOOK' });
      const recipients = [...new Set((input.recipients ?? []).map((r) => r.trim()))];
      try {
        checkEmail({ to: recipients, subject: 'check', text: '' });
      } catch (error) {
        if (!(error instanceof InvalidInputError)) throw error;
        throw new InvalidInputError(error.message, { recipients: (error.details.fields as { to: string }).to });
      }
      return { name: input.name, recipients, url: null };
    }
    if (input.recipients?.length)
      throw new InvalidInputError('A webhook channel has no recipients', { recipients: 'must be empty for WEBHOOK' });
    if (!input.url) throw new InvalidInputError('A webhook channel needs a URL', { url: 'required for WEBHOOK' });
    this.webhooks.checkUrl(input.url);
    return { name: input.name, recipients: [], url: input.url };
  }

  private checkedRule(input: RuleInput, current: NotificationRule | null): RuleFields {
    const pick = <K extends keyof RuleFields>(key: K, fallback: RuleFields[K]): RuleFields[K] =>
      input[key] === undefined || input[key] === null ? (current ? current[key] : fallback) : input[key];
    const fields: RuleFields = {
      name: pick('name', ''),
      enabled: pick('enabled', true),
      sourceKinds: [...new Set(pick('sourceKinds', []))],
      types: [...new Set(pick('types', []))],
      minSeverity: pick('minSeverity', 'INDETERMINATE'),
      sourceKeys: [...new Set(pick('sourceKeys', []))],
      // null clears the scope on an update; absent keeps it.
      experiment: input.experiment === undefined ? (current?.experiment ?? null) : input.experiment,
      transitions: [...new Set(pick('transitions', []))],
      channelIds: [...new Set(pick('channelIds', []))],
      rateLimit:
        input.rateLimit === undefined
          ? (current?.rateLimit ?? null)
          : input.rateLimit && { max: input.rateLimit.max, windowSeconds: input.rateLimit.windowSeconds },
      weeklyDigest: pick('weeklyDigest', false),
    };
    checkRule(fields);
    return fields;
  }

  private async checkChannelsExist(ids: readonly number[]): Promise<void> {
    const found = new Set((await this.channels.findMany(ids)).map((c) => c.id));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length)
      throw new InvalidInputError(`No notification channel ${missing.join(', ')}`, {
        channelIds: `unknown: ${missing.join(', ')}`,
      });
  }

  private async withSecretFlags(channels: StoredChannel[]): Promise<NotificationChannel[]> {
    const signed = await this.webhooks.withSecrets(channels.map((c) => channelSecretRef(c.id)));
    return channels.map((c) => ({ ...c, hasSecret: signed.has(channelSecretRef(c.id)) }));
  }
}
