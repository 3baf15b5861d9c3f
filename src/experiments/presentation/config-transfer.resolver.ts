import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentUser, RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import type { Principal } from '../../shared/auth/principal.js';
import { ConfigTransferService } from '../application/config-transfer.service.js';
import {
  ExportExperimentsConfigArgs,
  ImportExperimentsConfigArgs,
  ImportOutcomeModel,
  toImportOutcomeModel,
} from './config-transfer.models.js';

/** Export and import of the experiments configuration: administrators only (experiments:write). */
@Resolver()
export class ConfigTransferResolver {
  constructor(private readonly transfer: ConfigTransferService) {}

  @RequirePermission(PERMISSIONS.EXPERIMENTS_WRITE)
  @Query(() => String, {
    description:
      'The experiments configuration as a file: experiments, PVs, flags, default thresholds, and optionally assignments ' +
      'and threshold subscriptions (users by username). Sorted by name: the same configuration gives the same bytes.',
  })
  exportExperimentsConfig(@Args() { format, include }: ExportExperimentsConfigArgs) {
    return this.transfer.export(format, {
      assignments: include?.assignments ?? false,
      subscriptions: include?.subscriptions ?? false,
    });
  }

  @RequirePermission(PERMISSIONS.EXPERIMENTS_WRITE)
  @Mutation(() => ImportOutcomeModel, {
    description:
      'Imports a configuration file: experiments and PVs matched by name are updated, not duplicated; nothing is deleted. ' +
      'All or nothing: a bad line is BAD_USER_INPUT naming the line (extensions.line), and nothing is stored. ' +
      'dryRun reports what would change. Users of assignments and subscriptions must exist (by username).',
  })
  async importExperimentsConfig(
    @Args() { content, format, dryRun }: ImportExperimentsConfigArgs,
    @CurrentUser() user: Principal,
  ) {
    return toImportOutcomeModel(await this.transfer.import(content, format, dryRun, user));
  }
}
