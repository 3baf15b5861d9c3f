import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { UsersService } from '../../identity/application/users.service.js';
import { isActive, permissionsOf } from '../../identity/domain/user.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import type { DerivedStage } from '../../shared/ingestion/derived-state.js';
import { Mailer } from '../../shared/mail/mailer.service.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import type { PvSample } from '../domain/pv-values.js';
import { episodeEmail, stepEpisode, type ThresholdBand } from '../domain/threshold-episodes.js';
import { ExperimentsRegistryService } from './experiments-registry.service.js';
import { PV_THRESHOLD_EVENT, type PvThresholdEvent } from './pv-thresholds.service.js';
import {
  ThresholdEpisodeRepository,
  ThresholdSubscriptionRepository,
  type StoredEpisode,
} from './pv-thresholds.ports.js';

/** One PV's threshold episodes that a batch started or ended, across its subscriptions. */
export interface PvThresholdEpisodes {
  pvId: number;
  pvName: string;
  experimentName: string;
  /** Subscriptions of the PV with an open episode before the batch, and after it. */
  openBefore: number;
  openAfter: number;
  /** Per subscription in time order; subscriptions one after the other. */
  events: PvThresholdEvent[];
}

/** A PV without any stage state starts this far back. */
const CATCH_UP_MS = 3_600_000;

interface Held {
  /** The newest value committed into episodes: the watermark. */
  committedTs: Date | null;
  /** A batch was applied but has not committed (yet): reload before the next one. */
  pending: boolean;
}

/**
 * Threshold episodes, a derived stage of the `pv` kind (one owner per PV,
 * shared/ingestion/derived-state.ts). Per batch and PV it reads the PV's subscriptions and
 * their open episodes from the database (in the stage's transaction, so they are exact on any
 * replica), steps each subscription through the new numeric values (domain/threshold-episodes.ts,
 * hysteresis PV_THRESHOLD_HYSTERESIS_PERCENT), writes started/ended episodes and the PV's
 * watermark, and enqueues one e-mail per started episode through the Mailer (outbox: it commits
 * with the episode, idempotency key `pv-threshold:{subscription}:episode:{episode}`). A
 * subscription takes in values from its creation on; a user who can no longer see the PV
 * (unassigned) gets no e-mail. Events are published once committed.
 */
@Injectable()
export class PvThresholdEpisodesService implements DerivedStage<PvSample> {
  readonly name = 'pv threshold episodes';
  private readonly logger = new Logger(PvThresholdEpisodesService.name);
  private readonly held = new Map<number, Held>();
  /** Called in the batch's transaction with each PV's episodes (alarms raise and clear theirs there). */
  private readonly episodeListeners: Array<(change: PvThresholdEpisodes) => Promise<void>> = [];

  constructor(
    private readonly registry: ExperimentsRegistryService,
    private readonly subscriptions: ThresholdSubscriptionRepository,
    private readonly episodes: ThresholdEpisodeRepository,
    private readonly mailer: Mailer,
    private readonly pubsub: PubSub,
    private readonly config: AppConfig,
    private readonly users: UsersService,
  ) {}

  async acquire(pvIds: readonly number[]): Promise<void> {
    const watermarks = await this.episodes.watermarks(pvIds);
    for (const id of pvIds) this.held.set(id, { committedTs: watermarks.get(id) ?? null, pending: false });
  }

  release(pvIds: readonly number[]): void {
    for (const id of pvIds) this.held.delete(id);
  }

  watermark(pvId: number): Date | null {
    return this.held.get(pvId)?.committedTs ?? null;
  }

  catchUpFrom(): Date {
    return new Date(Date.now() - CATCH_UP_MS);
  }

  async apply(byPv: ReadonlyMap<number, readonly PvSample[]>): Promise<() => Promise<void>> {
    const failedBefore = [...byPv.keys()].filter((id) => this.held.get(id)?.pending);
    if (failedBefore.length) await this.acquire(failedBefore);
    const pvIds = [...byPv.keys()].filter((id) => byPv.get(id)!.length);
    const subscriptions = await this.subscriptions.ofPvs(pvIds);
    const open = subscriptions.length ? await this.episodes.openOf(pvIds) : new Map<number, StoredEpisode>();
    const events: PvThresholdEvent[] = [];
    const moved: Array<{ held: Held; ts: Date }> = [];
    const hysteresisPercent = this.config.PV_THRESHOLD_HYSTERESIS_PERCENT;
    for (const pvId of pvIds) {
      const samples = byPv.get(pvId)!;
      const pv = this.registry.findPvById(pvId);
      let held = this.held.get(pvId);
      if (!held) this.held.set(pvId, (held = { committedTs: null, pending: false }));
      held.pending = true;
      const firstEvent = events.length;
      let openBefore = 0;
      let openAfter = 0;
      if (pv)
        for (const subscription of subscriptions.filter((s) => s.pvId === pvId)) {
          const band: ThresholdBand = { min: subscription.min, max: subscription.max, hysteresisPercent };
          let current: StoredEpisode | null = open.get(subscription.id) ?? null;
          if (current) openBefore++;
          let peakMoved = false;
          const maySee = await this.maySee(subscription.userId, pv.experimentId);
          for (const sample of samples) {
            if (sample.value === null || sample.ts < subscription.createdAt) continue;
            const step = stepEpisode(band, current, sample.value, sample.ts);
            const base = { subscriptionId: subscription.id, userId: subscription.userId, pvId, pvName: pv.name };
            if (step.ended && current) {
              await this.episodes.end(current.id, step.ended);
              events.push({
                ...base,
                kind: 'ENDED',
                episodeId: current.id,
                limit: current.limit,
                limitValue: current.limitValue,
                value: sample.value,
                peak: step.ended.peak,
                at: sample.ts,
              });
              current = null;
              peakMoved = false;
            }
            if (step.started) {
              const stored = await this.episodes.start(subscription.id, step.started);
              current = stored;
              if (maySee)
                await this.mailer.send(
                  {
                    to: [subscription.email],
                    ...episodeEmail({
                      pvName: pv.name,
                      pvDisplayName: pv.displayName,
                      unit: pv.unit,
                      episode: step.started,
                    }),
                  },
                  `pv-threshold:${subscription.id}:episode:${stored.id}`,
                );
              events.push({
                ...base,
                kind: 'STARTED',
                episodeId: stored.id,
                limit: stored.limit,
                limitValue: stored.limitValue,
                value: sample.value,
                peak: stored.peak,
                at: sample.ts,
              });
            } else if (step.peakMoved && current) {
              current = { ...current, peak: step.open!.peak };
              peakMoved = true;
            }
          }
          if (peakMoved && current) await this.episodes.movePeak(current.id, current.peak);
          if (current) openAfter++;
        }
      if (pv && events.length > firstEvent)
        for (const listener of this.episodeListeners)
          await listener({
            pvId,
            pvName: pv.name,
            experimentName: pv.experimentName,
            openBefore,
            openAfter,
            events: events.slice(firstEvent),
          });
      const lastTs = samples[samples.length - 1].ts;
      await this.episodes.setWatermark(pvId, lastTs);
      moved.push({ held, ts: lastTs });
    }
    return async () => {
      for (const { held, ts } of moved) {
        held.committedTs = ts;
        held.pending = false;
      }
      for (const event of events)
        await this.pubsub
          .publish(PV_THRESHOLD_EVENT, event)
          .catch((err) => this.logger.warn({ err }, 'Publishing a threshold event failed'));
    };
  }

  /** `listener` runs in the transaction that stores the episodes; a replayed batch repeats it. */
  onEpisodes(listener: (change: PvThresholdEpisodes) => Promise<void>): void {
    this.episodeListeners.push(listener);
  }

  /** Assigned, or an active experiments administrator (who may subscribe without being assigned). */
  private async maySee(userId: string, experimentId: number): Promise<boolean> {
    if (this.registry.maySee({ userId, administers: false }, experimentId)) return true;
    const user = await this.users.get(userId).catch(() => null);
    return user !== null && isActive(user) && permissionsOf(user.roles).has(PERMISSIONS.EXPERIMENTS_WRITE);
  }
}
