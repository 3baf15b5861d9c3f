import { Args, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { toPage } from '../../shared/graphql/pagination.js';
import { LeakInvestigationsService, type LiveInvestigation } from '../application/leak-investigations.service.js';
import {
  InvestigateLeakArgs,
  LeakInvestigationAddedArgs,
  LeakInvestigationModel,
  LeakInvestigationPage,
  LeakInvestigationsArgs,
} from './leak-investigations.models.js';

const shown = (i: LiveInvestigation): LeakInvestigationModel => ({ ...i, details: JSON.stringify(i.details) });

@Resolver()
export class LeakInvestigationsResolver {
  constructor(private readonly investigations: LeakInvestigationsService) {}

  @RequirePermission(PERMISSIONS.LEAKS_READ)
  @Query(() => LeakInvestigationPage, { description: 'Investigations, newest first.' })
  async leakInvestigations(@Args() { offset, limit, sensorNames, results }: LeakInvestigationsArgs) {
    return toPage(await this.investigations.list({ sensorNames, results }, { offset, limit }), shown);
  }

  @RequirePermission(PERMISSIONS.LEAKS_OPERATE)
  @Mutation(() => LeakInvestigationModel, {
    description:
      "Simulates the sensor's template's candidate leaks over the sea currents up to `at` and compares them with the readings (the one done for that reading when there is one).",
  })
  async investigateLeak(@Args() { sensorName, at }: InvestigateLeakArgs) {
    return shown(await this.investigations.investigateOnRequest(sensorName, at));
  }

  @RequirePermission(PERMISSIONS.LEAKS_READ)
  @Subscription(() => LeakInvestigationModel, {
    description: 'Investigations as they finish.',
    filter: (i: LiveInvestigation, { sensorNames }: LeakInvestigationAddedArgs) =>
      !sensorNames?.length || sensorNames.includes(i.sensorName),
    resolve: shown,
  })
  leakInvestigationAdded(@Args() _args: LeakInvestigationAddedArgs) {
    return this.investigations.live();
  }
}
