import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { SourceRegistrationService } from '../application/source-registration.service.js';
import { MachineSummaryModel } from './live-telemetry.models.js';
import { RegisterUnregisteredSourceInput } from './source-registration.inputs.js';

/** One-step registration of machines and axes that telemetry topics named (the list: shared/ingestion). */
@Resolver()
export class SourceRegistrationResolver {
  constructor(private readonly service: SourceRegistrationService) {}

  @RequirePermission(PERMISSIONS.MACHINES_WRITE)
  @Mutation(() => MachineSummaryModel, {
    description:
      "Creates the machine an unregistered topic names (code from the topic) and clears that code's topics from " +
      'the list; with `part` (an AXIS entry), adds that axis to its machine and clears the entry.',
  })
  registerUnregisteredSource(
    @Args('topic') topic: string,
    @Args('part', { type: () => String, nullable: true, description: 'The axis of an AXIS entry.' })
    part: string | null,
    @Args('input', { type: () => RegisterUnregisteredSourceInput, nullable: true })
    input: RegisterUnregisteredSourceInput | null,
  ) {
    return this.service.register(topic, part ?? null, input ?? {});
  }
}
