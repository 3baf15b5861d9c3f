import { Args, Query, Resolver, Subscription, type ComplexityEstimatorArgs } from '@nestjs/graphql';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { SharedExecution } from '../../shared/graphql/shared-subscriptions.js';
import { historyCost } from '../../shared/ingestion/history-window.args.js';
import { LeakReadingsService } from '../application/leak-readings.service.js';
import { PpmvHistoryArgs, PpmvReadingAddedArgs, SensorNamesArgs } from './leak-readings.args.js';
import { PpmvReadingModel, PpmvSeriesModel } from './leak-readings.models.js';

const asPublished = <T>(reading: T): T => reading;

@Resolver()
export class LeakReadingsResolver {
  constructor(private readonly readings: LeakReadingsService) {}

  @RequirePermission(PERMISSIONS.LEAKS_READ)
  @Query(() => [PpmvReadingModel], {
    description: "Each sensor's newest reading (a dashboard's first paint), by name.",
  })
  latestPpmv(@Args() { sensorNames }: SensorNamesArgs) {
    return this.readings.latest(sensorNames);
  }

  @RequirePermission(PERMISSIONS.LEAKS_READ)
  @Query(() => [PpmvSeriesModel], {
    description:
      'Readings of sensors over a window, with their anomaly levels: raw (at most `limit` per sensor), or buckets of min/max/avg and the worst level when bucketSeconds or maxPoints is given. Complexity: sensors × points per sensor × fields selected / 500.',
    complexity: ({ args, childComplexity }: ComplexityEstimatorArgs) =>
      historyCost(args, new Set(args.sensorNames as string[]).size, childComplexity),
  })
  async ppmvHistory(@Args() { sensorNames, ...request }: PpmvHistoryArgs) {
    const series = await this.readings.readings(sensorNames, request);
    return series.map((s) =>
      s.mode === 'raw'
        ? { sensorName: s.sensorName, readings: s.readings, truncated: s.truncated, buckets: null }
        : { sensorName: s.sensorName, readings: null, truncated: false, buckets: s.buckets },
    );
  }

  @RequirePermission(PERMISSIONS.LEAKS_READ)
  @SharedExecution()
  @Subscription(() => PpmvReadingModel, {
    description: 'New readings (one event per reading; duplicates are never sent).',
    resolve: asPublished,
  })
  ppmvReadingAdded(@Args() args: PpmvReadingAddedArgs) {
    return this.readings.live(args);
  }
}
