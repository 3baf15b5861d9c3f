import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentUser, RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import type { Principal } from '../../shared/auth/principal.js';
import { JobModel, toJobModel } from '../../shared/jobs/jobs.models.js';
import {
  AUGMENT_BASELINE_JOB,
  SELECT_BASELINE_JOB,
  SensorBaselinesService,
} from '../application/sensor-baselines.service.js';
import { SensorBaselineModel } from './sensor-baselines.models.js';

const SENSOR_NAME = { description: "The sensor's name (tag)." };

@Resolver()
export class SensorBaselinesResolver {
  constructor(private readonly baselines: SensorBaselinesService) {}

  @RequirePermission(PERMISSIONS.LEAKS_READ)
  @Query(() => SensorBaselineModel)
  leakSensorBaseline(@Args('sensorName', SENSOR_NAME) sensorName: string) {
    return this.baselines.info(sensorName);
  }

  @RequirePermission(PERMISSIONS.LEAKS_OPERATE)
  @Mutation(() => JobModel, {
    description:
      "Starts a job choosing the sensor's baseline among the seeded candidates (low, mid, high, trestakk1ta): its readings of the last 30 days are cleaned and each candidate scores them; the one without alarms nearest their mean and variance wins. Result (JSON): { outcome: SELECTED | UNCHANGED, name, error, reason, cleaning, evaluations }.",
  })
  async selectSensorBaseline(@Args('sensorName', SENSOR_NAME) sensorName: string, @CurrentUser() user: Principal) {
    return toJobModel(await this.baselines.start(SELECT_BASELINE_JOB, sensorName, user));
  }

  @RequirePermission(PERMISSIONS.LEAKS_OPERATE)
  @Mutation(() => JobModel, {
    description:
      "Starts a job appending the sensor's cleaned readings since the last augmentation (the last 30 days the first time) to its baseline, which keeps its newest week. Result (JSON): { added, dropped, points, mean, variance, cleaning }.",
  })
  async augmentSensorBaseline(@Args('sensorName', SENSOR_NAME) sensorName: string, @CurrentUser() user: Principal) {
    return toJobModel(await this.baselines.start(AUGMENT_BASELINE_JOB, sensorName, user));
  }
}
