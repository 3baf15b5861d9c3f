import { Args, Mutation, Query, Resolver, Subscription, type ComplexityEstimatorArgs } from '@nestjs/graphql';
import { CurrentUser, RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import type { Principal } from '../../shared/auth/principal.js';
import { toPage } from '../../shared/graphql/pagination.js';
import { historyCost } from '../../shared/ingestion/history-window.args.js';
import { viewerOf } from '../application/experiments-registry.service.js';
import { PvSetsService } from '../application/pv-sets.service.js';
import { PvValuesService } from '../application/pv-values.service.js';
import { PvHistoryArgs, PvScopeArgs, PvSetsArgs, PvValueAddedArgs } from './experiments.inputs.js';
import { PvSeriesModel, PvSetModel, PvSetPage, PvValueModel } from './pv-values.models.js';

const asPublished = <T>(value: T): T => value;

/**
 * PV values and sets, of the experiments the caller may see (NOT_FOUND otherwise).
 * The live subscription is not shared between subscribers (@SharedExecution): what each
 * one receives depends on their own assignments.
 */
@Resolver()
export class PvValuesResolver {
  constructor(
    private readonly values: PvValuesService,
    private readonly sets: PvSetsService,
  ) {}

  @RequirePermission(PERMISSIONS.EXPERIMENTS_READ)
  @Query(() => [PvValueModel], { description: "Each PV's newest value (a dashboard's first paint), by PV name." })
  latestPvValues(@Args() scope: PvScopeArgs, @CurrentUser() user: Principal) {
    return this.values.latest(viewerOf(user), scope);
  }

  @RequirePermission(PERMISSIONS.EXPERIMENTS_READ)
  @Query(() => [PvSeriesModel], {
    description:
      'Values of PVs over a window: raw (at most `limit` per PV), or buckets (min/max/avg of numbers, the last text) when bucketSeconds or maxPoints is given. Complexity: PVs × points per PV × fields selected / 500.',
    complexity: ({ args, childComplexity }: ComplexityEstimatorArgs) =>
      historyCost(args, new Set(args.pvNames as string[]).size, childComplexity),
  })
  async pvHistory(@Args() { pvNames, ...request }: PvHistoryArgs, @CurrentUser() user: Principal) {
    const series = await this.values.values(viewerOf(user), pvNames, request);
    return series.map((s) =>
      s.mode === 'raw'
        ? { pvName: s.pvName, samples: s.samples, truncated: s.truncated, buckets: null }
        : { pvName: s.pvName, samples: null, truncated: false, buckets: s.buckets },
    );
  }

  @RequirePermission(PERMISSIONS.EXPERIMENTS_READ)
  @Subscription(() => PvValueModel, {
    description:
      'New values of one experiment (experimentName) or of PVs (pvNames). Ends with NOT_FOUND when the caller loses the experiment (unassigned, deleted).',
    resolve: asPublished,
  })
  pvValueAdded(@Args() args: PvValueAddedArgs, @CurrentUser() user: Principal) {
    return this.values.live(viewerOf(user), args);
  }

  @RequirePermission(PERMISSIONS.EXPERIMENTS_OPERATE)
  @Mutation(() => PvSetModel, {
    description:
      'Sets a writable PV: publishes the value as plain text on {PV_SET_PREFIX}/{name with ":" → "/"} (QoS 1) and records the set once the broker acknowledged it. Refused, with nothing recorded: NOT_FOUND (no such PV, or not assigned), FORBIDDEN with reason NOT_WRITABLE, BAD_USER_INPUT with reason WRONG_TYPE or OUT_OF_RANGE naming `value`, SERVICE_UNAVAILABLE with reason BROKER_UNAVAILABLE or BROKER_TIMEOUT.',
  })
  setPv(@Args('name') name: string, @Args('value') value: string, @CurrentUser() user: Principal) {
    return this.sets.setPv(viewerOf(user), name, value);
  }

  @RequirePermission(PERMISSIONS.EXPERIMENTS_READ)
  @Query(() => PvSetPage, { description: 'Values set on PVs of the experiments the caller may see, newest first.' })
  async pvSets(
    @Args() { offset, limit, experimentName, pvName, userId, from, to }: PvSetsArgs,
    @CurrentUser() user: Principal,
  ) {
    const query = {
      experimentName: experimentName ?? undefined,
      pvName: pvName ?? undefined,
      userId: userId ?? undefined,
      from: from ?? undefined,
      to: to ?? undefined,
    };
    return toPage(await this.sets.list(viewerOf(user), query, { offset, limit }));
  }
}
