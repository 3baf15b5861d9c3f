import { Args, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { toPage } from '../../shared/graphql/pagination.js';
import { SharedExecution } from '../../shared/graphql/shared-subscriptions.js';
import type { LiveSensorEvent, LiveSystemEvent } from '../application/anomaly-levels.service.js';
import { LeakEventsService } from '../application/leak-events.service.js';
import {
  AnomalyLevelAddedArgs,
  LeakSensorEventAddedArgs,
  LeakSensorEventsArgs,
  LeakSystemEventAddedArgs,
  LeakSystemEventsArgs,
  SetSensorFeedbackModeArgs,
} from './leak-events.args.js';
import {
  AnomalyLevelReadingModel,
  LeakSensorEventModel,
  LeakSensorEventPage,
  LeakSystemEventModel,
  LeakSystemEventPage,
  shownPercent,
} from './leak-events.models.js';
import { LeakSensorModel } from './leak-registry.models.js';

/** Anomaly levels, sensor events and system events: lists, live streams, feedback mode. */
@Resolver()
export class LeakEventsResolver {
  constructor(private readonly events: LeakEventsService) {}

  @RequirePermission(PERMISSIONS.LEAKS_READ)
  @Query(() => LeakSensorEventPage, { description: 'Level changes of sensors, newest first.' })
  async leakSensorEvents(@Args() { offset, limit, ...query }: LeakSensorEventsArgs) {
    return toPage(await this.events.sensorEvents(query, { offset, limit }), shownPercent);
  }

  @RequirePermission(PERMISSIONS.LEAKS_READ)
  @Query(() => LeakSystemEventPage, { description: 'Operator notices, newest first.' })
  async leakSystemEvents(@Args() { offset, limit, ...query }: LeakSystemEventsArgs) {
    return toPage(await this.events.systemEvents(query, { offset, limit }));
  }

  @RequirePermission(PERMISSIONS.LEAKS_OPERATE)
  @Mutation(() => LeakSensorModel, {
    description:
      'Feedback mode, "this stretch is normal": refused (CONFLICT) until the sensor has a window of readings. Turned off, the readings scored meanwhile extend the sensor\'s reference unless one reaches the feedback limit; a system event says which.',
  })
  setSensorFeedbackMode(@Args() { sensorName, on }: SetSensorFeedbackModeArgs) {
    return this.events.setFeedbackMode(sensorName, on);
  }

  @RequirePermission(PERMISSIONS.LEAKS_READ)
  @SharedExecution()
  @Subscription(() => AnomalyLevelReadingModel, {
    description: 'Each reading as it is scored (one event per reading).',
    resolve: shownPercent,
  })
  anomalyLevelAdded(@Args() args: AnomalyLevelAddedArgs) {
    return this.events.liveLevels(args);
  }

  @RequirePermission(PERMISSIONS.LEAKS_READ)
  @Subscription(() => LeakSensorEventModel, {
    description: "A sensor's level changed.",
    filter: (event: LiveSensorEvent, { sensorNames, levels }: LeakSensorEventAddedArgs) =>
      (!sensorNames?.length || sensorNames.includes(event.sensorName)) &&
      (!levels?.length || levels.includes(event.level)),
    resolve: shownPercent,
  })
  leakSensorEventAdded(@Args() { sensorNames }: LeakSensorEventAddedArgs) {
    return this.events.liveSensorEvents(sensorNames);
  }

  @RequirePermission(PERMISSIONS.LEAKS_READ)
  @Subscription(() => LeakSystemEventModel, {
    description: 'New operator notices.',
    filter: (event: LiveSystemEvent, { types }: LeakSystemEventAddedArgs) =>
      !types?.length || types.includes(event.type),
    resolve: (event: LiveSystemEvent) => event,
  })
  leakSystemEventAdded(@Args() _args: LeakSystemEventAddedArgs) {
    return this.events.liveSystemEvents();
  }
}
