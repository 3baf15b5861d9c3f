import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { USER_CHANGED, UsersService, type UserChangedEvent } from '../../identity/application/users.service.js';
import { Transactions } from '../../shared/database/transactions.js';
import { InvalidInputError, NotFoundError } from '../../shared/errors/domain-errors.js';
import type { PageResult } from '../../shared/graphql/pagination.js';
import { MqttService } from '../../shared/mqtt/mqtt.service.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import { throwIfProblems } from '../../shared/validation/field-rules.js';
import type { PvRef } from '../domain/experiments.js';
import { thresholdProblems, type ThresholdLimit } from '../domain/threshold-episodes.js';
import { ExperimentsRegistryService, type Viewer } from './experiments-registry.service.js';
import {
  ThresholdEpisodeRepository,
  ThresholdSubscriptionRepository,
  type StoredEpisode,
  type ThresholdSubscription,
} from './pv-thresholds.ports.js';

/** Published after an episode's start or end committed (pv-threshold-episodes.service.ts). */
export const PV_THRESHOLD_EVENT = 'experiments.pvThresholdEvent';

export interface PvThresholdEvent {
  kind: 'STARTED' | 'ENDED';
  episodeId: string;
  subscriptionId: number;
  userId: string;
  pvId: number;
  pvName: string;
  limit: ThresholdLimit;
  limitValue: number;
  /** The value that started it, or (ended) the one that ended it. */
  value: number;
  peak: number;
  at: Date;
}

export interface SubscriptionView extends ThresholdSubscription {
  pvName: string;
}

export interface SubscribeCommand {
  email?: string | null;
  min?: number | null;
  max?: number | null;
}

type Page = { offset: number; limit: number };

const EMAIL = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

/**
 * Threshold subscriptions: one per user per PV, on PVs the user may see (assigned, or an
 * experiments administrator). Limits default to the PV's default thresholds, the e-mail to the
 * user's. When PV_ALARM_TOPIC is set, the original's JSON message goes out there (QoS 1) after
 * each subscribe (`active: 1`) and unsubscribe (`active: 0`), and `active: 0` for every
 * subscription removed with its user, PV or experiment.
 */
@Injectable()
export class PvThresholdsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PvThresholdsService.name);
  private userChanges?: AsyncIterableIterator<UserChangedEvent>;
  /** Removed with a PV or experiment: announced after the registry's transaction, once the PV is gone. */
  private cascaded: Array<{ subscription: ThresholdSubscription; pv: PvRef }> = [];

  constructor(
    private readonly registry: ExperimentsRegistryService,
    private readonly subscriptions: ThresholdSubscriptionRepository,
    private readonly episodes: ThresholdEpisodeRepository,
    private readonly users: UsersService,
    private readonly transactions: Transactions,
    private readonly pubsub: PubSub,
    private readonly mqtt: MqttService,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.registry.registerDeletionParticipant({
      what: 'threshold subscriptions',
      count: async (pvIds) => (await this.subscriptions.ofPvs(pvIds)).length,
      delete: async (pvIds) => {
        for (const subscription of await this.subscriptions.delete({ pvIds })) {
          const pv = this.registry.findPvById(subscription.pvId);
          if (pv) this.cascaded.push({ subscription, pv });
        }
      },
    });
    // Reloaded after the deletion committed: the PVs gone are announced; a PV still there was rolled back.
    this.registry.onReload(() => {
      const cascaded = this.cascaded;
      this.cascaded = [];
      for (const { subscription, pv } of cascaded)
        if (!this.registry.findPvById(pv.id)) void this.announceAlarm(subscription, pv, 0);
    });
    this.userChanges = this.pubsub.subscribe<UserChangedEvent>(USER_CHANGED);
    void this.followUserChanges(this.userChanges);
  }

  async onModuleDestroy(): Promise<void> {
    await this.userChanges?.return?.();
  }

  async mine(viewer: Viewer, page: Page): Promise<PageResult<SubscriptionView>> {
    return this.viewed(await this.subscriptions.list({ userId: viewer.userId }, page));
  }

  /** Administrators: everyone's, optionally of one user or PV. */
  async all(filter: { userId?: string; pvName?: string }, page: Page): Promise<PageResult<SubscriptionView>> {
    const pvIds = filter.pvName ? [this.requirePv(filter.pvName).id] : undefined;
    return this.viewed(await this.subscriptions.list({ userId: filter.userId, pvIds }, page));
  }

  async subscribe(viewer: Viewer, pvName: string, command: SubscribeCommand): Promise<SubscriptionView> {
    const pv = this.registry.visiblePv(viewer, pvName);
    if (pv.type !== 'NUMBER')
      throw new InvalidInputError('Thresholds apply to NUMBER PVs only', { pvName: 'is a TEXT PV' });
    const user = await this.users.get(viewer.userId);
    const fields = this.checked(
      command.email ?? user.email,
      command.min ?? pv.thresholdMin,
      command.max ?? pv.thresholdMax,
    );
    const created = await this.subscriptions.create({ userId: viewer.userId, pvId: pv.id, ...fields });
    await this.announceAlarm(created, pv, 1);
    return { ...created, pvName: pv.name };
  }

  async update(viewer: Viewer, pvName: string, command: SubscribeCommand): Promise<SubscriptionView> {
    const pv = this.registry.visiblePv(viewer, pvName);
    const current = await this.subscriptions.find(viewer.userId, pv.id);
    if (!current) throw new NotFoundError('Threshold subscription', pvName);
    const fields = this.checked(
      command.email === undefined || command.email === null ? current.email : command.email,
      command.min ?? current.min,
      command.max ?? current.max,
    );
    const updated = await this.subscriptions.update(current.id, fields);
    if (updated.email !== current.email || updated.min !== current.min || updated.max !== current.max) {
      await this.announceAlarm(current, pv, 0);
      await this.announceAlarm(updated, pv, 1);
    }
    return { ...updated, pvName: pv.name };
  }

  async unsubscribe(viewer: Viewer, pvName: string): Promise<SubscriptionView> {
    const pv = this.registry.visiblePv(viewer, pvName);
    const current = await this.subscriptions.find(viewer.userId, pv.id);
    if (!current) throw new NotFoundError('Threshold subscription', pvName);
    const [deleted] = await this.subscriptions.delete({ ids: [current.id] });
    if (!deleted) throw new NotFoundError('Threshold subscription', pvName);
    await this.announceAlarm(deleted, pv, 0);
    return { ...deleted, pvName: pv.name };
  }

  /** A subscription's episodes, newest first: its owner's, or any for administrators. */
  async episodesOf(viewer: Viewer, pvName: string, userId: string | undefined, page: Page) {
    const pv = this.registry.visiblePv(viewer, pvName);
    const owner = viewer.administers && userId ? userId : viewer.userId;
    const subscription = await this.subscriptions.find(owner, pv.id);
    if (!subscription) throw new NotFoundError('Threshold subscription', pvName);
    const result = await this.episodes.list([subscription.id], page);
    return { ...result, items: result.items.map((e: StoredEpisode) => ({ ...e, pvName: pv.name })) };
  }

  /** Threshold events of the caller's own subscriptions (every one for administrators) on PVs they still see. */
  async *events(viewer: Viewer): AsyncGenerator<PvThresholdEvent> {
    const events = this.pubsub.subscribe<PvThresholdEvent>(PV_THRESHOLD_EVENT);
    try {
      for await (const event of events) {
        const pv = this.registry.findPvById(event.pvId);
        if (!pv || !this.registry.maySee(viewer, pv.experimentId)) continue;
        if (viewer.administers || event.userId === viewer.userId) yield { ...event, at: new Date(event.at) };
      }
    } finally {
      await events.return?.();
    }
  }

  private checked(email: string, min: number | null, max: number | null) {
    const problems = thresholdProblems(min, max);
    const trimmed = email.trim();
    if (!EMAIL.test(trimmed) || trimmed.length > 254)
      problems.email = trimmed ? 'is not an e-mail address' : 'is required: your account has no e-mail address';
    throwIfProblems('threshold subscription', problems);
    return { email: trimmed, min: min!, max: max! };
  }

  private requirePv(name: string): PvRef {
    const pv = this.registry.findPvByName(name);
    if (!pv) throw new NotFoundError('PV', name);
    return pv;
  }

  private async viewed(result: PageResult<ThresholdSubscription>): Promise<PageResult<SubscriptionView>> {
    return {
      ...result,
      items: result.items.map((s) => ({ ...s, pvName: this.registry.findPvById(s.pvId)?.name ?? '' })),
    };
  }

  /**
   * The original's message (reference/realtimeplot.md 8.3) on PV_ALARM_TOPIC: thresholds as
   * numbers, the PV's unit as threshold_unit. Sent after the change committed; a broker that
   * does not take it is logged, the change stands.
   */
  private async announceAlarm(
    subscription: ThresholdSubscription,
    pv: PvRef,
    active: 0 | 1,
    userName?: string,
  ): Promise<void> {
    const topic = this.config.PV_ALARM_TOPIC;
    if (!topic) return;
    try {
      const user =
        userName !== undefined
          ? { displayName: userName }
          : await this.users.get(subscription.userId).catch(() => null);
      const message = {
        email: subscription.email,
        pv: pv.name,
        min_threshold: subscription.min,
        max_threshold: subscription.max,
        threshold_unit: pv.unit,
        active,
        message: `Hello ${user?.displayName ?? ''}.\nPlease check the ${pv.name} process variable! A threshold value has been breached.`,
      };
      await this.mqtt.publish(topic, JSON.stringify(message), { qos: 1 });
    } catch (err) {
      this.logger.warn({ err, subscriptionId: subscription.id, active }, 'The alarm topic message was not sent');
    }
  }

  /** A deleted user's subscriptions go (users are soft-deleted); the replica whose delete removed them announces them. */
  private async followUserChanges(changes: AsyncIterableIterator<UserChangedEvent>): Promise<void> {
    try {
      for await (const { kind, user } of changes)
        if (kind === 'DELETED') {
          try {
            const removed = await this.transactions.run(() => this.subscriptions.delete({ userId: user.id }));
            for (const subscription of removed) {
              const pv = this.registry.findPvById(subscription.pvId);
              if (pv) await this.announceAlarm(subscription, pv, 0, user.displayName);
            }
          } catch (err) {
            this.logger.error({ err }, "Removing a deleted user's threshold subscriptions failed");
          }
        }
    } catch (err) {
      this.logger.error({ err }, 'Following user changes stopped');
    }
  }
}
