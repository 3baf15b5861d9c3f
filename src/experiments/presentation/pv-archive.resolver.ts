import { Args, Query, Resolver } from '@nestjs/graphql';
import { AppConfig } from '../../config/app-config.js';
import { CurrentUser, RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import type { Principal } from '../../shared/auth/principal.js';
import { viewerOf } from '../application/experiments-registry.service.js';
import { PvArchiveService } from '../application/pv-archive.service.js';
import { formatInZone } from '../domain/zoned-time.js';
import { PvArchiveHistoryArgs, PvArchiveHistoryModel } from './pv-archive.models.js';

/** The EPICS Archiver Appliance, where a lab has one (ARCHIVER_URL). */
@Resolver()
export class PvArchiveResolver {
  constructor(
    private readonly archive: PvArchiveService,
    private readonly config: AppConfig,
  ) {}

  @RequirePermission(PERMISSIONS.EXPERIMENTS_READ)
  @Query(() => PvArchiveHistoryModel, {
    description:
      "A PV's history from the archiver, alone or merged with the values stored here. NOT_FOUND when the caller may not see the PV or the archiver does not know it; SERVICE_UNAVAILABLE (reason ARCHIVER_UNAVAILABLE, ARCHIVER_TIMEOUT or ARCHIVER_BAD_ANSWER) when the archiver cannot answer; BAD_USER_INPUT when none is configured.",
    complexity: ({ args, childComplexity }) =>
      1 + Math.ceil((((args.limit as number | null) ?? 1000) * childComplexity) / 500),
  })
  async pvArchiveHistory(@Args() { pvName, ...request }: PvArchiveHistoryArgs, @CurrentUser() user: Principal) {
    const zone = this.config.ARCHIVER_TIMEZONE;
    const history = await this.archive.history(viewerOf(user), pvName, request);
    return {
      ...history,
      zone,
      from: formatInZone(history.from, zone),
      to: formatInZone(history.to, zone),
      samples: history.samples.map((s) => ({ ...s, time: formatInZone(s.ts, zone) })),
    };
  }

  @RequirePermission(PERMISSIONS.EXPERIMENTS_WRITE)
  @Query(() => Boolean, {
    description:
      'Whether the archiver knows a PV (asked for the PV at this instant): for administrators, before they register it. SERVICE_UNAVAILABLE when the archiver cannot answer (never a silent false).',
  })
  pvInArchive(@Args('pvName') pvName: string) {
    return this.archive.knows(pvName);
  }
}
