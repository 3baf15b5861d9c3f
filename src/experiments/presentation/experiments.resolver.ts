import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentUser, RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import type { Principal } from '../../shared/auth/principal.js';
import { toPage } from '../../shared/graphql/pagination.js';
import { ExperimentsRegistryService, viewerOf } from '../application/experiments-registry.service.js';
import {
  CreateExperimentInput,
  CreatePvInput,
  ExperimentAssignmentsArgs,
  ExperimentsArgs,
  PvsArgs,
  RegisterUnregisteredPvInput,
  UpdateExperimentInput,
  UpdatePvInput,
} from './experiments.inputs.js';
import {
  ExperimentAssignmentPage,
  ExperimentDeletionReportModel,
  ExperimentModel,
  ExperimentPage,
  PvModel,
  PvPage,
} from './experiments.models.js';

/**
 * Experiments and PVs. Reads show only what the caller may see (assigned experiments, or all
 * for experiments:write); anything else is NOT_FOUND, like a name that does not exist.
 */
@Resolver()
export class ExperimentsResolver {
  constructor(private readonly registry: ExperimentsRegistryService) {}

  @RequirePermission(PERMISSIONS.EXPERIMENTS_READ)
  @Query(() => ExperimentPage, {
    description: 'The experiments the caller is assigned to (every one for administrators).',
  })
  async experiments(@Args() { offset, limit, text }: ExperimentsArgs, @CurrentUser() user: Principal) {
    return toPage(await this.registry.listExperiments(viewerOf(user), text ?? undefined, { offset, limit }));
  }

  @RequirePermission(PERMISSIONS.EXPERIMENTS_READ)
  @Query(() => ExperimentModel, { description: 'NOT_FOUND unless the caller may see it.' })
  experiment(@Args('name') name: string, @CurrentUser() user: Principal) {
    return this.registry.visibleExperiment(viewerOf(user), name);
  }

  @RequirePermission(PERMISSIONS.EXPERIMENTS_WRITE)
  @Mutation(() => ExperimentModel)
  createExperiment(@Args('input') { name, ...fields }: CreateExperimentInput) {
    return this.registry.createExperiment(name, fields);
  }

  @RequirePermission(PERMISSIONS.EXPERIMENTS_WRITE)
  @Mutation(() => ExperimentModel)
  updateExperiment(@Args('name') name: string, @Args('input') input: UpdateExperimentInput) {
    return this.registry.updateExperiment(name, input);
  }

  @RequirePermission(PERMISSIONS.EXPERIMENTS_WRITE)
  @Mutation(() => ExperimentDeletionReportModel, {
    description: 'Deletes an experiment with its PVs, their values and sets, and its assignments.',
  })
  deleteExperiment(@Args('name') name: string) {
    return this.registry.deleteExperiment(name);
  }

  @RequirePermission(PERMISSIONS.EXPERIMENTS_WRITE)
  @Query(() => ExperimentAssignmentPage, { description: 'The users assigned to an experiment.' })
  async experimentAssignments(@Args() { experimentName, offset, limit }: ExperimentAssignmentsArgs) {
    return toPage(await this.registry.assignedUsers(experimentName, { offset, limit }));
  }

  @RequirePermission(PERMISSIONS.EXPERIMENTS_WRITE)
  @Mutation(() => ExperimentModel, { description: 'Idempotent.' })
  assignUserToExperiment(@Args('experimentName') experimentName: string, @Args('userId') userId: string) {
    return this.registry.assignUser(experimentName, userId);
  }

  @RequirePermission(PERMISSIONS.EXPERIMENTS_WRITE)
  @Mutation(() => ExperimentModel, {
    description: "Idempotent. The user's running subscriptions to the experiment's values end (NOT_FOUND).",
  })
  unassignUserFromExperiment(@Args('experimentName') experimentName: string, @Args('userId') userId: string) {
    return this.registry.unassignUser(experimentName, userId);
  }

  @RequirePermission(PERMISSIONS.EXPERIMENTS_READ)
  @Query(() => PvPage, { description: 'PVs of the experiments the caller may see.' })
  async pvs(@Args() { offset, limit, experimentName, writable, type, text }: PvsArgs, @CurrentUser() user: Principal) {
    const filter = {
      experimentName: experimentName ?? undefined,
      writable: writable ?? undefined,
      type: type ?? undefined,
      text: text ?? undefined,
    };
    return toPage(await this.registry.listPvs(viewerOf(user), filter, { offset, limit }));
  }

  @RequirePermission(PERMISSIONS.EXPERIMENTS_READ)
  @Query(() => PvModel, { description: 'NOT_FOUND unless the caller may see its experiment.' })
  pv(@Args('name') name: string, @CurrentUser() user: Principal) {
    return this.registry.visiblePv(viewerOf(user), name);
  }

  @RequirePermission(PERMISSIONS.EXPERIMENTS_WRITE)
  @Mutation(() => PvModel, { description: 'Creates the PV, and its experiment when there is none of that name yet.' })
  createPv(@Args('input') { name, ...fields }: CreatePvInput) {
    return this.registry.createPv(name, fields);
  }

  @RequirePermission(PERMISSIONS.EXPERIMENTS_WRITE)
  @Mutation(() => PvModel, {
    description: 'Creates the PV an unregistered topic (kind PV) names, and clears the topic from unregisteredSources.',
  })
  registerUnregisteredPv(@Args('topic') topic: string, @Args('input') input: RegisterUnregisteredPvInput) {
    return this.registry.registerUnregisteredPv(topic, input);
  }

  @RequirePermission(PERMISSIONS.EXPERIMENTS_WRITE)
  @Mutation(() => PvModel)
  updatePv(@Args('name') name: string, @Args('input') input: UpdatePvInput) {
    return this.registry.updatePv(name, input);
  }

  @RequirePermission(PERMISSIONS.EXPERIMENTS_WRITE)
  @Mutation(() => ExperimentDeletionReportModel, { description: 'Deletes a PV with its values and sets.' })
  deletePv(@Args('name') name: string) {
    return this.registry.deletePv(name);
  }
}
