import { Mutation, Query, Resolver, Args } from '@nestjs/graphql';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { PrivacyPurgeService } from '../application/privacy-purge.service.js';
import { UsageReportsService } from '../application/usage-reports.service.js';
import { toPlanModel } from './maintenance.resolver.js';
import { AccessPurgeReportModel, UsageReportModel, WeeklyAccessSummaryModel } from './access.models.js';
import { UsageReportArgs, WeeklyAccessSummaryArgs } from './access.inputs.js';

@Resolver()
export class AccessReportsResolver {
  constructor(
    private readonly reports: UsageReportsService,
    private readonly purge: PrivacyPurgeService,
  ) {}

  @RequirePermission(PERMISSIONS.ACCESS_READ)
  @Query(() => UsageReportModel, {
    description:
      'Hours of use per machine or per user over [from, to): closed uses overlapping the window, each clipped to it.',
  })
  usageReport(@Args() { from, to, groupBy }: UsageReportArgs) {
    return this.reports.report({ from, to }, groupBy);
  }

  @RequirePermission(PERMISSIONS.ACCESS_READ)
  @Query(() => String, {
    description: 'usageReport as CSV (RFC 4180): a header row, then one line per machine or user.',
  })
  usageReportCsv(@Args() { from, to, groupBy }: UsageReportArgs) {
    return this.reports.reportCsv({ from, to }, groupBy);
  }

  @RequirePermission(PERMISSIONS.ACCESS_READ)
  @Query(() => WeeklyAccessSummaryModel, {
    description: "A week's usage per machine, the maintenance overdue now and the week's unknown cards.",
  })
  async weeklyAccessSummary(@Args() { weekStart }: WeeklyAccessSummaryArgs) {
    const summary = await this.reports.weeklySummary(weekStart);
    return { ...summary, overdueMaintenance: summary.overdueMaintenance.map(toPlanModel) };
  }

  @RequirePermission(PERMISSIONS.ACCESS_WRITE)
  @Mutation(() => AccessPurgeReportModel, {
    description:
      'Runs the privacy purge now (it also runs daily): anonymises closed uses and interventions older than ' +
      'ACCESS_RETENTION_DAYS, deletes unknown-card attempts older than ACCESS_UNKNOWN_CARD_RETENTION_DAYS.',
  })
  purgeAccessRecords() {
    return this.purge.purge();
  }
}
