import type { PageResult } from '../../shared/graphql/pagination.js';
import type { ClosedEpisode, OpenEpisode } from '../domain/threshold-episodes.js';

type Page = { offset: number; limit: number };

/** A user's threshold subscription on a PV: one per user per PV. */
export interface ThresholdSubscription {
  id: number;
  userId: string;
  pvId: number;
  email: string;
  min: number;
  max: number;
  createdAt: Date;
}

export interface ThresholdSubscriptionFilter {
  userId?: string;
  pvIds?: readonly number[];
}

/** An episode as stored: open while endedAt is null. */
export interface StoredEpisode extends OpenEpisode {
  id: string;
  subscriptionId: number;
  endedAt: Date | null;
}

/** Rows of pv_threshold_subscriptions (migration PvThresholds); writes join the running transaction. */
export abstract class ThresholdSubscriptionRepository {
  /** CONFLICT (field pvName) when the user has one on the PV already. */
  abstract create(subscription: Omit<ThresholdSubscription, 'id' | 'createdAt'>): Promise<ThresholdSubscription>;
  abstract update(
    id: number,
    changes: Pick<ThresholdSubscription, 'email' | 'min' | 'max'>,
  ): Promise<ThresholdSubscription>;
  abstract find(userId: string, pvId: number): Promise<ThresholdSubscription | null>;
  abstract list(filter: ThresholdSubscriptionFilter, page: Page): Promise<PageResult<ThresholdSubscription>>;
  abstract ofPvs(pvIds: readonly number[]): Promise<ThresholdSubscription[]>;
  /** Deletes and returns what was deleted (their episodes go with them). */
  abstract delete(filter: {
    ids?: readonly number[];
    pvIds?: readonly number[];
    userId?: string;
  }): Promise<ThresholdSubscription[]>;
}

/** Episodes and each PV's watermark (pv_threshold_episodes, pv_threshold_watermarks); writes join the running transaction. */
export abstract class ThresholdEpisodeRepository {
  /** The open episodes of the PVs' subscriptions, by subscription id. */
  abstract openOf(pvIds: readonly number[]): Promise<Map<number, StoredEpisode>>;
  abstract watermarks(pvIds: readonly number[]): Promise<Map<number, Date>>;
  abstract setWatermark(pvId: number, upTo: Date): Promise<void>;
  abstract start(subscriptionId: number, episode: OpenEpisode): Promise<StoredEpisode>;
  abstract movePeak(id: string, peak: number): Promise<void>;
  abstract end(id: string, episode: ClosedEpisode): Promise<void>;
  abstract list(subscriptionIds: readonly number[], page: Page): Promise<PageResult<StoredEpisode>>;
}
