import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentUser, RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import type { Principal } from '../../shared/auth/principal.js';
import { JobModel, toJobModel } from '../../shared/jobs/jobs.models.js';
import { PpmvProfileService, PROFILE_MAX_POINTS } from '../application/ppmv-profile.service.js';
import { ReadingsImportService } from '../application/readings-import.service.js';
import { ImportSensorReadingsArgs, PpmvMatrixProfileArgs } from './leak-jobs.args.js';
import { PpmvMatrixProfileModel, toProfileModel } from './leak-jobs.models.js';

/** What one profile costs in the query budget: it holds a worker thread for up to about a second. */
export const PROFILE_COST = 1000;

/** Leak detection's long and heavy operations: readings imports (jobs) and batch matrix profiles. */
@Resolver()
export class LeakJobsResolver {
  constructor(
    private readonly imports: ReadingsImportService,
    private readonly profiles: PpmvProfileService,
  ) {}

  @RequirePermission(PERMISSIONS.LEAKS_WRITE)
  @Mutation(() => JobModel, {
    description:
      "Starts a job importing a sensor's historical readings from CSV (see `csv`); follow it with `jobProgress`. " +
      'Sentinel and implausible rows are refused and counted (the MQTT rules, LEAK_PPMV_LIMIT); the rest is stored in ' +
      'one transaction, or nothing is. The result (JSON): { sensorName, rows, stored, duplicates, refused: { total, ' +
      'malformed, badTime, badValue, sentinel, negative, olderThanRetention }, examples: [{ line, reason, problem }], from, to }.',
  })
  async importSensorReadings(@Args() { sensorName, csv }: ImportSensorReadingsArgs, @CurrentUser() user: Principal) {
    return toJobModel(await this.imports.startImport(sensorName, csv, user));
  }

  @RequirePermission(PERMISSIONS.LEAKS_READ)
  @Query(() => PpmvMatrixProfileModel, {
    description:
      `The batch matrix profile of a sensor's stored readings in [from, to], computed off the event loop. At most ` +
      `${PROFILE_MAX_POINTS} readings (BAD_USER_INPUT beyond: narrow from/to). Complexity: ${PROFILE_COST} + fields.`,
    complexity: ({ childComplexity }) => PROFILE_COST + childComplexity,
  })
  async ppmvMatrixProfile(@Args() { sensorName, ...request }: PpmvMatrixProfileArgs) {
    return toProfileModel(await this.profiles.profile(sensorName, request));
  }
}
