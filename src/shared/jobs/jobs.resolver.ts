import { Args, ID, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import { CurrentUser } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { toPage } from '../graphql/pagination.js';
import { JobService } from './job.service.js';
import type { Job } from './jobs.js';
import { JobModel, JobPage, JobsArgs, toJobModel } from './jobs.models.js';

const READERS =
  "A job is readable by whoever started it while they hold its kind's permission, and by an admin; another's job is NOT_FOUND.";

/**
 * Long jobs of every kind. The guard only authenticates here: whether a caller may read a
 * job depends on the job (its kind's permission, who started it), which JobService checks.
 */
@Resolver()
export class JobsResolver {
  constructor(private readonly service: JobService) {}

  @Query(() => JobModel, { description: `A job: its state, progress and result or error. ${READERS}` })
  async job(@Args('id', { type: () => ID }) id: string, @CurrentUser() user: Principal) {
    return toJobModel(await this.service.get(id, user));
  }

  @Query(() => JobPage, { description: `Jobs the caller may read, newest first. ${READERS}` })
  async jobs(@Args() { kind, state, offset, limit }: JobsArgs, @CurrentUser() user: Principal) {
    return toPage(await this.service.list({ kind, state }, { offset, limit }, user), toJobModel);
  }

  @Mutation(() => JobModel, {
    description: `Cancels a QUEUED or RUNNING job: it stores nothing. A finished job is a CONFLICT. ${READERS}`,
  })
  async cancelJob(@Args('id', { type: () => ID }) id: string, @CurrentUser() user: Principal) {
    return toJobModel(await this.service.cancel(id, user));
  }

  @Subscription(() => JobModel, {
    description: `The job as it is now, then each change of state or progress (steps of at least 1 %); ends after its final state. ${READERS}`,
    resolve: (job: Job) => toJobModel(job),
  })
  jobProgress(@Args('id', { type: () => ID }) id: string, @CurrentUser() user: Principal) {
    return this.service.follow(id, user);
  }
}
