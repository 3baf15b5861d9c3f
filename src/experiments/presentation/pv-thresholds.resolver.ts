import { Args, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import { CurrentUser, RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import type { Principal } from '../../shared/auth/principal.js';
import { PageArgs, toPage } from '../../shared/graphql/pagination.js';
import { viewerOf } from '../application/experiments-registry.service.js';
import { PvThresholdsService } from '../application/pv-thresholds.service.js';
import {
  PvThresholdEpisodesArgs,
  PvThresholdSubscriptionInput,
  PvThresholdSubscriptionsArgs,
} from './pv-thresholds.inputs.js';
import {
  PvThresholdEpisodePage,
  PvThresholdEventModel,
  PvThresholdSubscriptionModel,
  PvThresholdSubscriptionPage,
} from './pv-thresholds.models.js';

const asPublished = <T>(value: T): T => value;

/**
 * Threshold subscriptions on PVs the caller may see (NOT_FOUND otherwise): each user manages
 * their own; experiments administrators may list everyone's.
 */
@Resolver()
export class PvThresholdsResolver {
  constructor(private readonly thresholds: PvThresholdsService) {}

  @RequirePermission(PERMISSIONS.EXPERIMENTS_READ)
  @Query(() => PvThresholdSubscriptionPage, { description: "The caller's threshold subscriptions." })
  async myPvThresholdSubscriptions(@Args() { offset, limit }: PageArgs, @CurrentUser() user: Principal) {
    return toPage(await this.thresholds.mine(viewerOf(user), { offset, limit }));
  }

  @RequirePermission(PERMISSIONS.EXPERIMENTS_WRITE)
  @Query(() => PvThresholdSubscriptionPage, { description: "Everyone's threshold subscriptions (administrators)." })
  async pvThresholdSubscriptions(@Args() { offset, limit, userId, pvName }: PvThresholdSubscriptionsArgs) {
    return toPage(
      await this.thresholds.all({ userId: userId ?? undefined, pvName: pvName ?? undefined }, { offset, limit }),
    );
  }

  @RequirePermission(PERMISSIONS.EXPERIMENTS_READ)
  @Query(() => PvThresholdEpisodePage, {
    description: "Episodes of the caller's subscription on a PV (administrators: of userId's), newest first.",
  })
  async pvThresholdEpisodes(
    @Args() { offset, limit, pvName, userId }: PvThresholdEpisodesArgs,
    @CurrentUser() user: Principal,
  ) {
    return toPage(await this.thresholds.episodesOf(viewerOf(user), pvName, userId ?? undefined, { offset, limit }));
  }

  @RequirePermission(PERMISSIONS.EXPERIMENTS_READ)
  @Mutation(() => PvThresholdSubscriptionModel, {
    description:
      "Subscribes the caller to a NUMBER PV they may see: min/max default to the PV's thresholds, email to the caller's. BAD_USER_INPUT naming min, max or email; CONFLICT when subscribed already; NOT_FOUND when the PV is not visible.",
  })
  subscribePvThreshold(
    @Args('pvName') pvName: string,
    @Args('input', { type: () => PvThresholdSubscriptionInput, nullable: true })
    input: PvThresholdSubscriptionInput | null,
    @CurrentUser() user: Principal,
  ) {
    return this.thresholds.subscribe(viewerOf(user), pvName, input ?? {});
  }

  @RequirePermission(PERMISSIONS.EXPERIMENTS_READ)
  @Mutation(() => PvThresholdSubscriptionModel, {
    description: "Changes the caller's subscription; fields left out stay.",
  })
  updatePvThresholdSubscription(
    @Args('pvName') pvName: string,
    @Args('input') input: PvThresholdSubscriptionInput,
    @CurrentUser() user: Principal,
  ) {
    return this.thresholds.update(viewerOf(user), pvName, input);
  }

  @RequirePermission(PERMISSIONS.EXPERIMENTS_READ)
  @Mutation(() => PvThresholdSubscriptionModel, {
    description: "Removes the caller's subscription (and its episodes).",
  })
  unsubscribePvThreshold(@Args('pvName') pvName: string, @CurrentUser() user: Principal) {
    return this.thresholds.unsubscribe(viewerOf(user), pvName);
  }

  @RequirePermission(PERMISSIONS.EXPERIMENTS_READ)
  @Subscription(() => PvThresholdEventModel, {
    description: "Episodes starting and ending, of the caller's subscriptions (every one for administrators).",
    resolve: asPublished,
  })
  pvThresholdEvent(@CurrentUser() user: Principal) {
    return this.thresholds.events(viewerOf(user));
  }
}
