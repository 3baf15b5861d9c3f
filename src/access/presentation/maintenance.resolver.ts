import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentUser, RequirePermission } from '../../shared/auth/decorators.js';
import type { Principal } from '../../shared/auth/principal.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { MaintenanceService, type PlanStatus } from '../application/maintenance.service.js';
import { hoursOf } from '../domain/usage-report.js';
import { InterventionModel, InterventionPage, MaintenancePlanModel } from './access.models.js';
import {
  CreateInterventionInput,
  CreateMaintenancePlanInput,
  InterventionsArgs,
  UpdateInterventionInput,
  UpdateMaintenancePlanInput,
} from './access.inputs.js';

@Resolver()
export class MaintenanceResolver {
  constructor(private readonly service: MaintenanceService) {}

  @RequirePermission(PERMISSIONS.ACCESS_READ)
  @Query(() => [MaintenancePlanModel], {
    description: 'Maintenance plans with their progress since their last intervention, by machine then plan.',
  })
  async maintenancePlans(@Args('machineCode', { nullable: true }) machineCode?: string) {
    return (await this.service.plans(machineCode)).map(toPlanModel);
  }

  @RequirePermission(PERMISSIONS.ACCESS_WRITE)
  @Mutation(() => MaintenancePlanModel)
  async createMaintenancePlan(@Args('input') { machineCode, ...fields }: CreateMaintenancePlanInput) {
    return toPlanModel(
      await this.service.createPlan(machineCode, {
        lcdMessage: '',
        instructionsUrl: null,
        ...fields,
      }),
    );
  }

  @RequirePermission(PERMISSIONS.ACCESS_WRITE)
  @Mutation(() => MaintenancePlanModel)
  async updateMaintenancePlan(
    @Args('id', { type: () => Int }) id: number,
    @Args('input') input: UpdateMaintenancePlanInput,
  ) {
    return toPlanModel(await this.service.updatePlan(id, input));
  }

  @RequirePermission(PERMISSIONS.ACCESS_WRITE)
  @Mutation(() => MaintenancePlanModel, { description: 'Deletes the plan with its interventions.' })
  async deleteMaintenancePlan(@Args('id', { type: () => Int }) id: number) {
    return toPlanModel(await this.service.deletePlan(id));
  }

  @RequirePermission(PERMISSIONS.ACCESS_READ)
  @Query(() => InterventionPage, { description: 'Interventions, newest first.' })
  interventions(@Args() { offset, limit, ...query }: InterventionsArgs) {
    return this.service.interventions(query, { offset, limit });
  }

  @RequirePermission(PERMISSIONS.ACCESS_WRITE)
  @Mutation(() => InterventionModel, { description: 'Records a maintenance performed (origin "api").' })
  createIntervention(@Args('input') input: CreateInterventionInput, @CurrentUser() me: Principal) {
    return this.service.createIntervention(input, me.id);
  }

  @RequirePermission(PERMISSIONS.ACCESS_WRITE)
  @Mutation(() => InterventionModel)
  updateIntervention(@Args('id', { type: () => ID }) id: string, @Args('input') input: UpdateInterventionInput) {
    return this.service.updateIntervention(id, input);
  }

  @RequirePermission(PERMISSIONS.ACCESS_WRITE)
  @Mutation(() => InterventionModel)
  deleteIntervention(@Args('id', { type: () => ID }) id: string) {
    return this.service.deleteIntervention(id);
  }
}

export function toPlanModel(plan: PlanStatus): MaintenancePlanModel {
  return {
    ...plan,
    usedHoursSince: hoursOf(plan.usedSecondsSince),
    overdueHours: Math.round(plan.overdueHours * 1000) / 1000,
  };
}
