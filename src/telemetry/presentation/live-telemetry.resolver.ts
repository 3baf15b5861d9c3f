import { Args, Query, Resolver, Subscription } from '@nestjs/graphql';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { SharedExecution } from '../../shared/graphql/shared-subscriptions.js';
import { LatestTelemetry } from '../application/latest-telemetry.service.js';
import { LiveTelemetry } from '../application/live-telemetry.service.js';
import { AxisSampleAddedArgs, ElectricalSampleAddedArgs, LatestTelemetryArgs } from './live-telemetry.args.js';
import { AxisSampleModel, ElectricalSampleModel, MachineLatestTelemetryModel } from './live-telemetry.models.js';

/**
 * Published samples are already shaped for these types: returned as they are. The sample
 * subscriptions depend only on their arguments, so identical ones share execution: each
 * sample is executed and serialised once for all of them (coalescing ones share their
 * stream's rhythm: still at most maxRatePerSecond per machine or axis, each the newest).
 */
const asPublished = <T>(sample: T): T => sample;

@Resolver()
export class LiveTelemetryResolver {
  constructor(
    private readonly latest: LatestTelemetry,
    private readonly live: LiveTelemetry,
  ) {}

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Query(() => [MachineLatestTelemetryModel], {
    description: "Each machine's newest electrical, axis and tool samples (a dashboard's first paint), by code.",
  })
  latestTelemetry(@Args() { machineCodes }: LatestTelemetryArgs) {
    return this.latest.of(machineCodes);
  }

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @SharedExecution()
  @Subscription(() => ElectricalSampleModel, {
    description: 'New electrical samples (one event per sample; duplicates are never sent).',
    resolve: asPublished,
  })
  electricalSampleAdded(@Args() args: ElectricalSampleAddedArgs) {
    return this.live.electricalSamples(args);
  }

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @SharedExecution()
  @Subscription(() => AxisSampleModel, {
    description: 'New axis samples (one event per machine, axis and time).',
    resolve: asPublished,
  })
  axisSampleAdded(@Args() args: AxisSampleAddedArgs) {
    return this.live.axisSamples(args);
  }
}
