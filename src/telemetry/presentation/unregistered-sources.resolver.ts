import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { toPage } from '../../shared/graphql/pagination.js';
import { UnregisteredSourcesService } from '../application/unregistered-sources.service.js';
import { MachineSummaryModel } from './live-telemetry.models.js';
import { RegisterUnregisteredSourceInput, UnregisteredSourcesArgs } from './unregistered-sources.inputs.js';
import { UnregisteredSourcePage } from './unregistered-sources.models.js';

@Resolver()
export class UnregisteredSourcesResolver {
  constructor(private readonly service: UnregisteredSourcesService) {}

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Query(() => UnregisteredSourcePage, {
    description: 'Topics refused for an unknown source, most recently seen first.',
  })
  async unregisteredSources(@Args() { offset, limit, kind }: UnregisteredSourcesArgs) {
    return toPage(await this.service.list(kind ?? undefined, { offset, limit }));
  }

  @RequirePermission(PERMISSIONS.MACHINES_WRITE)
  @Mutation(() => MachineSummaryModel, {
    description:
      "Creates the machine an unregistered topic names (code from the topic) and clears that code's topics from the list.",
  })
  registerUnregisteredSource(
    @Args('topic') topic: string,
    @Args('input', { type: () => RegisterUnregisteredSourceInput, nullable: true })
    input: RegisterUnregisteredSourceInput | null,
  ) {
    return this.service.registerMachine(topic, input ?? {});
  }
}
