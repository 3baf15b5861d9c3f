import { Args, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { toPage } from '../../shared/graphql/pagination.js';
import { LeakSimulationInputsService } from '../application/leak-simulation-inputs.service.js';
import {
  CreateLeakCandidateInput,
  ImportLeakSeaCurrentsArgs,
  LeakCandidatesArgs,
  LeakCandidateSimulationArgs,
  LeakSeaCurrentsArgs,
  UpdateLeakCandidateInput,
  UpdateLeakPlumeParametersInput,
} from './leak-simulation-inputs.inputs.js';
import {
  LeakCandidateModel,
  LeakCandidatePage,
  LeakCandidateSimulationModel,
  LeakPlumeParametersModel,
  LeakSeaCurrentPage,
  LeakSeaCurrentsImportModel,
} from './leak-simulation-inputs.models.js';

@Resolver()
export class LeakSimulationInputsResolver {
  constructor(private readonly inputs: LeakSimulationInputsService) {}

  @RequirePermission(PERMISSIONS.LEAKS_READ)
  @Query(() => LeakCandidatePage, { description: "A template's candidate leaks, by name." })
  async leakCandidates(@Args() { templateId, offset, limit }: LeakCandidatesArgs) {
    return toPage(await this.inputs.listCandidates(templateId, { offset, limit }));
  }

  @RequirePermission(PERMISSIONS.LEAKS_READ)
  @Query(() => LeakCandidateModel)
  leakCandidate(@Args('id', { type: () => Int }) id: number) {
    return this.inputs.getCandidate(id);
  }

  @RequirePermission(PERMISSIONS.LEAKS_WRITE)
  @Mutation(() => LeakCandidateModel)
  createLeakCandidate(
    @Args('templateId', { type: () => Int }) templateId: number,
    @Args('input') input: CreateLeakCandidateInput,
  ) {
    return this.inputs.createCandidate(templateId, input);
  }

  @RequirePermission(PERMISSIONS.LEAKS_WRITE)
  @Mutation(() => LeakCandidateModel)
  updateLeakCandidate(@Args('id', { type: () => Int }) id: number, @Args('input') input: UpdateLeakCandidateInput) {
    return this.inputs.updateCandidate(id, input);
  }

  @RequirePermission(PERMISSIONS.LEAKS_WRITE)
  @Mutation(() => LeakCandidateModel, { description: 'Deletes a candidate leak; returns it as it was.' })
  deleteLeakCandidate(@Args('id', { type: () => Int }) id: number) {
    return this.inputs.deleteCandidate(id);
  }

  @RequirePermission(PERMISSIONS.LEAKS_WRITE)
  @Mutation(() => LeakSeaCurrentsImportModel, {
    description:
      "Imports a template's sea currents from CSV (the reference's u,v files, or with a timestamp column): all rows or none. A row at a time the template already has replaces it.",
  })
  importLeakSeaCurrents(@Args() { templateId, csv, startsAt, intervalSeconds }: ImportLeakSeaCurrentsArgs) {
    return this.inputs.importCurrents(templateId, csv, { startsAt, intervalSeconds });
  }

  @RequirePermission(PERMISSIONS.LEAKS_READ)
  @Query(() => LeakSeaCurrentPage, { description: "A template's sea currents within a window, oldest first." })
  async leakSeaCurrents(@Args() { templateId, from, to, offset, limit }: LeakSeaCurrentsArgs) {
    return toPage(await this.inputs.listCurrents(templateId, { from, to }, { offset, limit }));
  }

  @RequirePermission(PERMISSIONS.LEAKS_READ)
  @Query(() => LeakPlumeParametersModel)
  leakPlumeParameters() {
    return this.inputs.plumeParameters();
  }

  @RequirePermission(PERMISSIONS.LEAKS_WRITE)
  @Mutation(() => LeakPlumeParametersModel)
  updateLeakPlumeParameters(@Args('input') input: UpdateLeakPlumeParametersInput) {
    return this.inputs.updatePlumeParameters(input);
  }

  @RequirePermission(PERMISSIONS.LEAKS_READ)
  @Query(() => LeakCandidateSimulationModel, {
    description:
      "Every candidate leak of the sensor's template simulated at the sensor (plume model with the stored parameters, then the sensor's response) over the template's newest window + 1 sea current rows at or before `at`.",
  })
  async leakCandidateSimulation(@Args() { sensorName, at }: LeakCandidateSimulationArgs) {
    const simulation = await this.inputs.simulate(sensorName, at ?? new Date());
    return {
      supported: simulation.supported,
      reason: simulation.supported ? null : simulation.reason,
      currents: simulation.currents,
      leaks: simulation.leaks.map((leak) => ({
        candidate: leak.candidate,
        concentrations: Array.from(leak.concentrations),
        response: Array.from(leak.response),
        detectionRate: leak.detectionRate,
      })),
    };
  }
}
