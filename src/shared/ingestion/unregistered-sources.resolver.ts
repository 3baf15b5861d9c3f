import { Args, Query, Resolver } from '@nestjs/graphql';
import { CurrentUser } from '../auth/decorators.js';
import type { Principal } from '../auth/principal.js';
import { ForbiddenError } from '../errors/domain-errors.js';
import { toPage } from '../graphql/pagination.js';
import { UnregisteredSourcePage, UnregisteredSourcesArgs } from './unregistered-sources.models.js';
import { UnregisteredSources } from './unregistered-sources.service.js';

/**
 * The unregistered sources of every sample kind, each kind visible to callers with its
 * context's read permission (machines and axes: machines:read; sensors: leaks:read). Each
 * context registers its own in one step (registerUnregisteredSource, registerUnregisteredSensor).
 */
@Resolver()
export class UnregisteredSourcesResolver {
  constructor(private readonly service: UnregisteredSources) {}

  @Query(() => UnregisteredSourcePage, {
    description:
      'Topics refused for an unknown source (or an axis its machine lacks), most recently seen first, of the kinds ' +
      'the caller may read. At most UNREGISTERED_SOURCES_MAX are kept, none not seen for UNREGISTERED_SOURCES_RETENTION_DAYS.',
  })
  async unregisteredSources(@Args() { offset, limit, kind }: UnregisteredSourcesArgs, @CurrentUser() user: Principal) {
    const visible = this.service.kindsReadableWith(user.permissions);
    const kinds = kind ? visible.filter((k) => k === kind) : visible;
    if (!kinds.length)
      throw new ForbiddenError(
        kind ? `You may not read unregistered ${kind} sources` : 'You may read no unregistered sources',
      );
    return toPage(await this.service.list(kinds, { offset, limit }));
  }
}
