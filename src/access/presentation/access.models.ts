import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Paginated } from '../../shared/graphql/pagination.js';
import { ACCESS_STATUSES, type AccessStatus } from '../domain/access-status.js';

export const AccessStatusEnum = Object.fromEntries(ACCESS_STATUSES.map((s) => [s, s])) as Record<
  AccessStatus,
  AccessStatus
>;
registerEnumType(AccessStatusEnum, {
  name: 'AccessStatus',
  description:
    'A machine on the RFID status board, in precedence order: IN_USE > BLOCKED > MAINTENANCE > OFFLINE > FREE.',
});

export const UsageGroupingEnum = { MACHINE: 'MACHINE', USER: 'USER' } as const;
registerEnumType(UsageGroupingEnum, { name: 'UsageGrouping', description: 'Totals per machine or per user.' });

@ObjectType('MachineRef', { description: 'The machine an access record belongs to.' })
export class MachineRefModel {
  @Field(() => Int) id: number;
  @Field({ description: 'The machine id RFID boards use (the machine code).' }) code: string;
  @Field() name: string;
}

@ObjectType('UserRef', { description: 'The user an access record belongs to.' })
export class UserRefModel {
  @Field(() => ID) id: string;
  @Field() displayName: string;
}

@ObjectType('Authorization', { description: 'A user may start a machine whose type needs an authorisation.' })
export class AuthorizationModel {
  @Field(() => Int) id: number;
  @Field(() => UserRefModel) user: UserRefModel;
  @Field(() => MachineRefModel) machine: MachineRefModel;
  @Field() createdAt: Date;
}

export const AuthorizationPage = Paginated(AuthorizationModel, 'AuthorizationPage');

@ObjectType('BulkAuthorizationResult')
export class BulkAuthorizationResultModel {
  @Field(() => [AuthorizationModel], { description: 'The authorisations added.' }) added: AuthorizationModel[];
  @Field(() => [ID], { description: 'Users already authorised on the machine (left as they were).' })
  skippedUserIds: string[];
}

@ObjectType('MachineUse', { description: 'A session of a machine, opened and closed by its RFID board or by hand.' })
export class MachineUseModel {
  @Field(() => ID) id: string;
  @Field(() => MachineRefModel) machine: MachineRefModel;
  @Field(() => UserRefModel, { nullable: true, description: 'Null once anonymised by the privacy purge.' })
  user: UserRefModel | null;
  @Field() startedAt: Date;
  @Field(() => Date, { nullable: true, description: 'Null while the use is open.' }) endedAt: Date | null;
  @Field({ description: 'The last message that showed the use alive (start, heartbeat, stop).' }) lastSeenAt: Date;
  @Field(() => Float, { description: 'Seconds from start to end, or to now while open.' }) durationSeconds: number;
  @Field(() => Int, { nullable: true, description: "Seconds the use added to the machine's hours (null while open)." })
  countedSeconds: number | null;
  @Field({ description: 'Opened or closed by a message the board replayed after an outage.' }) replay: boolean;
  @Field({ description: '"board" or "api".' }) origin: string;
  @Field(() => String, {
    nullable: true,
    description: 'stop (the board), superseded (a newer start), orphaned (an hour of silence), api (by hand).',
  })
  closeReason: string | null;
  @Field() anonymized: boolean;
}

export const MachineUsePage = Paginated(MachineUseModel, 'MachineUsePage');

@ObjectType('MaintenancePlan', { description: 'Maintenance due every hoursBetween hours of use of a machine.' })
export class MaintenancePlanModel {
  @Field(() => Int) id: number;
  @Field(() => MachineRefModel) machine: MachineRefModel;
  @Field() description: string;
  @Field({ description: 'Shown on the board while the plan is overdue.' }) lcdMessage: string;
  @Field(() => Float) hoursBetween: number;
  @Field(() => String, { nullable: true }) instructionsUrl: string | null;
  @Field(() => Date, { nullable: true }) lastInterventionAt: Date | null;
  @Field(() => Float, { description: 'Hours of closed uses started since the last intervention.' })
  usedHoursSince: number;
  @Field() overdue: boolean;
  @Field(() => Float, { description: 'Hours past due; negative: hours left.' }) overdueHours: number;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;
}

@ObjectType('Intervention', { description: 'A maintenance performed, recorded by a board or through the API.' })
export class InterventionModel {
  @Field(() => ID) id: string;
  @Field(() => Int) planId: number;
  @Field(() => MachineRefModel) machine: MachineRefModel;
  @Field(() => UserRefModel, { nullable: true, description: 'Null once anonymised by the privacy purge.' })
  user: UserRefModel | null;
  @Field() performedAt: Date;
  @Field({ description: '"board" or "api".' }) origin: string;
  @Field() replay: boolean;
  @Field() notes: string;
  @Field() anonymized: boolean;
  @Field() createdAt: Date;
}

export const InterventionPage = Paginated(InterventionModel, 'InterventionPage');

@ObjectType('UnknownCardAttempt', { description: 'A card nobody holds, tried on a machine.' })
export class UnknownCardAttemptModel {
  @Field(() => ID) id: string;
  @Field() cardUid: string;
  @Field(() => MachineRefModel) machine: MachineRefModel;
  @Field() attemptedAt: Date;
}

export const UnknownCardAttemptPage = Paginated(UnknownCardAttemptModel, 'UnknownCardAttemptPage');

@ObjectType('ConvertedUnknownCard')
export class ConvertedUnknownCardModel {
  @Field(() => UserRefModel, { description: 'The user created with the card.' }) user: UserRefModel;
  @Field() email: string;
  @Field() cardUid: string;
}

@ObjectType('Board', { description: "A machine's RFID board, as its last `alive` described it." })
export class BoardModel {
  @Field(() => MachineRefModel) machine: MachineRefModel;
  @Field() firmwareVersion: string;
  @Field() ip: string;
  @Field() serial: string;
  @Field(() => Float, { nullable: true, description: 'Free heap in bytes.' }) heap: number | null;
  @Field({ description: 'The last `alive`.' }) lastSeenAt: Date;
  @Field(() => Date, { nullable: true, description: "The machine's last board message of any kind." })
  machineLastSeenAt: Date | null;
  @Field({ description: 'A board message came in the last 90 s.' }) online: boolean;
}

@ObjectType('MachineAccessStatus')
export class MachineAccessStatusModel {
  @Field(() => MachineRefModel) machine: MachineRefModel;
  @Field(() => AccessStatusEnum) status: AccessStatus;
  @Field(() => UserRefModel, { nullable: true, description: 'Who uses the machine (IN_USE).' })
  user: UserRefModel | null;
  @Field(() => Date, { nullable: true, description: 'Since when (IN_USE).' }) since: Date | null;
  @Field() blocked: boolean;
  @Field({ description: 'Some maintenance plan is overdue.' }) maintenanceDue: boolean;
  @Field({ description: 'The LCD message of the first overdue plan, else "".' }) maintenanceMessage: string;
  @Field({ description: 'A board message came in the last 90 s.' }) online: boolean;
  @Field(() => Date, { nullable: true }) lastSeenAt: Date | null;
}

@ObjectType('AccessStatusCounts', { description: 'How many machines are in each status.' })
export class AccessStatusCountsModel {
  @Field(() => Int) inUse: number;
  @Field(() => Int) blocked: number;
  @Field(() => Int) maintenance: number;
  @Field(() => Int) offline: number;
  @Field(() => Int) free: number;
  @Field(() => Int) total: number;
}

@ObjectType('MachineAccessStatusBoard')
export class MachineAccessStatusBoardModel {
  @Field() at: Date;
  @Field(() => AccessStatusCountsModel) counts: AccessStatusCountsModel;
  @Field(() => [MachineAccessStatusModel]) machines: MachineAccessStatusModel[];
}

@ObjectType('RemoteCommand', { description: 'A command sent to an RFID board on machine/{id}/request.' })
export class RemoteCommandModel {
  @Field() machineCode: string;
  @Field({ description: '"start" or "stop".' }) requestType: string;
  @Field({ description: "The card the board is told to log in or out: the caller's." }) cardUid: string;
  @Field() sentAt: Date;
}

@ObjectType('UsageRow')
export class UsageRowModel {
  @Field(() => MachineRefModel, { nullable: true, description: 'Grouped by machine.' }) machine: MachineRefModel | null;
  @Field(() => UserRefModel, { nullable: true, description: 'Grouped by user; null for anonymised uses.' })
  user: UserRefModel | null;
  @Field(() => Int, { description: 'Closed uses overlapping the window.' }) uses: number;
  @Field(() => Float) seconds: number;
  @Field(() => Float) hours: number;
}

@ObjectType('UsageReport', {
  description:
    'Hours of use over [from, to): closed uses overlapping the window, each clipped to it. Open uses count once closed.',
})
export class UsageReportModel {
  @Field() from: Date;
  @Field() to: Date;
  @Field(() => UsageGroupingEnum) groupBy: string;
  @Field(() => [UsageRowModel], { description: 'Most hours first.' }) rows: UsageRowModel[];
  @Field(() => Float) totalHours: number;
}

@ObjectType('UnknownCardSummary', { description: 'One card nobody holds, over a week.' })
export class UnknownCardSummaryModel {
  @Field() cardUid: string;
  @Field(() => [MachineRefModel]) machines: MachineRefModel[];
  @Field(() => Int) attempts: number;
  @Field() lastAttemptAt: Date;
}

@ObjectType('WeeklyAccessSummary')
export class WeeklyAccessSummaryModel {
  @Field({ description: 'Monday 00:00 UTC.' }) from: Date;
  @Field({ description: 'The next Monday 00:00 UTC.' }) to: Date;
  @Field(() => [UsageRowModel], { description: 'Hours per machine over the week (uses clipped to it).' })
  usage: UsageRowModel[];
  @Field(() => [MaintenancePlanModel], { description: 'Plans overdue now.' })
  overdueMaintenance: MaintenancePlanModel[];
  @Field(() => [UnknownCardSummaryModel], { description: "The week's unknown cards, most attempts first." })
  unknownCards: UnknownCardSummaryModel[];
}

@ObjectType('AccessPurgeReport')
export class AccessPurgeReportModel {
  @Field(() => Int) usesAnonymized: number;
  @Field(() => Int) interventionsAnonymized: number;
  @Field(() => Int) unknownCardAttemptsDeleted: number;
  @Field() anonymizedBefore: Date;
  @Field() unknownCardsDeletedBefore: Date;
}
