import { Injectable } from '@nestjs/common';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { toCsv, type CsvColumn } from '../../shared/csv/csv.js';
import { hoursOf, summaryWeek, type UsageWindow } from '../domain/usage-report.js';
import { AccessDirectory, type MachineLabel, type UserLabel } from './access-directory.service.js';
import { UnknownCardRepository, UseRepository, type UsageGrouping } from './access.ports.js';
import { MaintenanceService, type PlanStatus } from './maintenance.service.js';

export interface UsageRow {
  /** Set when grouped by machine. */
  machine: MachineLabel | null;
  /** Set when grouped by user; null also for anonymised uses. */
  user: UserLabel | null;
  seconds: number;
  hours: number;
  uses: number;
}

export interface UsageReport extends UsageWindow {
  groupBy: UsageGrouping;
  rows: UsageRow[];
  totalHours: number;
}

export interface UnknownCardWeek {
  cardUid: string;
  machines: MachineLabel[];
  attempts: number;
  lastAttemptAt: Date;
}

export interface WeeklyAccessSummary extends UsageWindow {
  usage: UsageRow[];
  overdueMaintenance: PlanStatus[];
  unknownCards: UnknownCardWeek[];
}

const MAX_WINDOW_DAYS = 366;

/** Hours of use per machine or per user over a window; the weekly summary. */
@Injectable()
export class UsageReportsService {
  constructor(
    private readonly uses: UseRepository,
    private readonly unknownCards: UnknownCardRepository,
    private readonly maintenance: MaintenanceService,
    private readonly directory: AccessDirectory,
  ) {}

  async report(window: UsageWindow, groupBy: UsageGrouping): Promise<UsageReport> {
    checkWindow(window);
    const totals = await this.uses.usage(window, groupBy);
    const names =
      groupBy === 'USER' ? await this.directory.userNames(totals.flatMap((t) => (t.key ? [String(t.key)] : []))) : null;
    const rows = totals.map(({ key, seconds, uses }) => ({
      machine: groupBy === 'MACHINE' ? this.directory.machineLabel(Number(key)) : null,
      user: names && key ? { id: String(key), displayName: names.get(String(key)) ?? '' } : null,
      seconds: Math.round(seconds),
      hours: hoursOf(seconds),
      uses,
    }));
    return { ...window, groupBy, rows, totalHours: hoursOf(totals.reduce((sum, t) => sum + t.seconds, 0)) };
  }

  async reportCsv(window: UsageWindow, groupBy: UsageGrouping): Promise<string> {
    const report = await this.report(window, groupBy);
    const columns: CsvColumn<UsageRow>[] =
      groupBy === 'MACHINE'
        ? [
            { header: 'machine_code', value: (r) => r.machine!.code },
            { header: 'machine_name', value: (r) => r.machine!.name },
          ]
        : [
            { header: 'user_id', value: (r) => r.user?.id ?? null },
            { header: 'user_name', value: (r) => r.user?.displayName ?? null },
          ];
    return toCsv(
      [
        ...columns,
        { header: 'from', value: () => report.from },
        { header: 'to', value: () => report.to },
        { header: 'uses', value: (r) => r.uses },
        { header: 'seconds', value: (r) => r.seconds },
        { header: 'hours', value: (r) => r.hours },
      ],
      report.rows,
    );
  }

  /** Usage per machine, overdue maintenance now, and the week's unknown cards. */
  async weeklySummary(weekStart?: Date | null, now = new Date()): Promise<WeeklyAccessSummary> {
    const week = summaryWeek(now, weekStart);
    const [usage, overdueMaintenance, cards] = await Promise.all([
      this.report(week, 'MACHINE'),
      this.maintenance.overduePlans(),
      this.unknownCards.summary(week),
    ]);
    return {
      ...week,
      usage: usage.rows,
      overdueMaintenance,
      unknownCards: cards.map((c) => ({
        cardUid: c.cardUid,
        machines: c.machineIds.map((id) => this.directory.machineLabel(id)),
        attempts: c.attempts,
        lastAttemptAt: c.lastAttemptAt,
      })),
    };
  }
}

function checkWindow({ from, to }: UsageWindow): void {
  if (to.getTime() <= from.getTime()) throw new InvalidInputError('Empty window', { to: 'must be after from' });
  if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * 86_400_000)
    throw new InvalidInputError('Window too long', { to: `must be at most ${MAX_WINDOW_DAYS} days after from` });
}
