import type { PageResult } from '../../shared/graphql/pagination.js';
import type { Authorization, Board, UnknownCardAttempt } from '../domain/board.js';
import type { Intervention, MaintenancePlan, PlanProgress } from '../domain/maintenance.js';
import type { UsageWindow } from '../domain/usage-report.js';
import type { NewUse, Use, UseCloseReason } from '../domain/use.js';

/**
 * Repository ports of the access API (back office). Ports shared with the board protocol
 * are in access.ports.ts.
 */

type Page = { offset: number; limit: number };

/** Counts and deletes a machine's records, for deleteMachine's report. */
export interface MachineRecords {
  countOfMachine(machineId: number): Promise<number>;
  deleteOfMachine(machineId: number): Promise<void>;
}

export interface AuthorizationFilter {
  userId?: string;
  machineId?: number;
}

export abstract class AuthorizationAdminRepository implements MachineRecords {
  /** Newest first. */
  abstract list(filter: AuthorizationFilter, page: Page): Promise<PageResult<Authorization>>;
  abstract findById(id: number): Promise<Authorization | null>;
  /** CONFLICT when the user already holds an authorisation for the machine. */
  abstract create(userId: string, machineId: number): Promise<Authorization>;
  /** Adds the missing ones in one statement; returns those it added. */
  abstract addMissing(machineId: number, userIds: readonly string[]): Promise<Authorization[]>;
  abstract delete(id: number): Promise<void>;
  abstract countOfMachine(machineId: number): Promise<number>;
  abstract deleteOfMachine(machineId: number): Promise<void>;
}

export interface UseFilter {
  machineId?: number;
  userId?: string;
  /** Uses that end after `from` (or are open). */
  from?: Date;
  /** Uses that start before `to`. */
  to?: Date;
  openOnly?: boolean;
}

export interface UseChanges {
  userId?: string;
  startedAt?: Date;
  endedAt?: Date;
  lastSeenAt?: Date;
  countedSeconds?: number | null;
  closeReason?: UseCloseReason;
}

export abstract class UseAdminRepository implements MachineRecords {
  /** Newest first. */
  abstract list(filter: UseFilter, page: Page): Promise<PageResult<Use>>;
  abstract findById(id: string): Promise<Use | null>;
  /** CONFLICT when it is open and the machine has an open use already. */
  abstract insert(use: NewUse): Promise<Use>;
  abstract update(id: string, changes: UseChanges): Promise<Use>;
  abstract delete(id: string): Promise<void>;
  /** Every open use (one per machine at most). */
  abstract openUses(): Promise<Use[]>;
  abstract openUseOf(machineId: number): Promise<Use | null>;
  abstract countOfMachine(machineId: number): Promise<number>;
  abstract deleteOfMachine(machineId: number): Promise<void>;
}

export type PlanFields = Pick<MaintenancePlan, 'description' | 'lcdMessage' | 'hoursBetween' | 'instructionsUrl'>;

export interface InterventionFilter {
  machineId?: number;
  planId?: number;
  userId?: string;
}

export type InterventionChanges = Partial<Pick<Intervention, 'performedAt' | 'notes' | 'userId'>>;

export abstract class MaintenanceAdminRepository implements MachineRecords {
  /** Plans with their progress, of one machine or of all, by machine then plan. */
  abstract progressOfPlans(machineId?: number): Promise<PlanProgress[]>;
  abstract findPlan(id: number): Promise<MaintenancePlan | null>;
  abstract createPlan(machineId: number, fields: PlanFields): Promise<MaintenancePlan>;
  abstract updatePlan(id: number, fields: Partial<PlanFields>): Promise<MaintenancePlan>;
  abstract deletePlan(id: number): Promise<void>;
  /** Newest first. */
  abstract listInterventions(filter: InterventionFilter, page: Page): Promise<PageResult<Intervention>>;
  abstract findIntervention(id: string): Promise<Intervention | null>;
  abstract updateIntervention(id: string, changes: InterventionChanges): Promise<Intervention>;
  abstract deleteIntervention(id: string): Promise<void>;
  /** Plans of the machine (deleting them deletes their interventions). */
  abstract countOfMachine(machineId: number): Promise<number>;
  abstract deleteOfMachine(machineId: number): Promise<void>;
  abstract countInterventionsOfMachine(machineId: number): Promise<number>;
  abstract deleteInterventionsOfMachine(machineId: number): Promise<void>;
}

/** Unknown cards over a window: one row per card. */
export interface UnknownCardSummary {
  cardUid: string;
  machineIds: number[];
  attempts: number;
  lastAttemptAt: Date;
}

export abstract class UnknownCardAdminRepository implements MachineRecords {
  /** Newest first. */
  abstract list(filter: { machineId?: number }, page: Page): Promise<PageResult<UnknownCardAttempt>>;
  /** Deletes every attempt of the card; returns how many. */
  abstract deleteCard(cardUid: string): Promise<number>;
  /** Most attempts first. */
  abstract summary(window: UsageWindow): Promise<UnknownCardSummary[]>;
  abstract deleteBefore(cutoff: Date): Promise<number>;
  abstract countOfMachine(machineId: number): Promise<number>;
  abstract deleteOfMachine(machineId: number): Promise<void>;
}

export abstract class BoardListRepository implements MachineRecords {
  abstract list(): Promise<Board[]>;
  abstract countOfMachine(machineId: number): Promise<number>;
  abstract deleteOfMachine(machineId: number): Promise<void>;
}

export type UsageGrouping = 'MACHINE' | 'USER';

/** Closed uses overlapping a window, clipped to it, summed per machine or per user. */
export interface UsageTotal {
  /** Machine id or user id (null: anonymised uses). */
  key: number | string | null;
  seconds: number;
  uses: number;
}

export abstract class AccessRecordsRepository {
  abstract usage(window: UsageWindow, groupBy: UsageGrouping): Promise<UsageTotal[]>;
  /** Anonymises closed uses that ended before the cutoff; returns how many. */
  abstract anonymizeUsesBefore(cutoff: Date): Promise<number>;
  abstract anonymizeInterventionsBefore(cutoff: Date): Promise<number>;
}
