import type { PageResult } from '../../shared/graphql/pagination.js';
import type { Authorization, Board, UnknownCardAttempt } from '../domain/board.js';
import type { Intervention, MaintenancePlan, PlanProgress } from '../domain/maintenance.js';
import type { UsageWindow } from '../domain/usage-report.js';
import type { NewUse, Use, UseClosing, UseCloseReason } from '../domain/use.js';

/**
 * The repositories of the access context, one per aggregate, used by the board protocol and
 * the API alike. Every query joins the running transaction (Transactions), if any: a use and
 * the hours it adds commit together, and a machine's records go in its deletion's transaction.
 */

type Page = { offset: number; limit: number };

/** A machine's records, counted and deleted with the machine (a MachineDeletionParticipant). */
interface MachineRecords {
  countOfMachine(machineId: number): Promise<number>;
  deleteOfMachine(machineId: number): Promise<void>;
}

export interface AuthorizationFilter {
  userId?: string;
  machineId?: number;
}

export abstract class AuthorizationRepository implements MachineRecords {
  /** Newest first. */
  abstract list(filter: AuthorizationFilter, page: Page): Promise<PageResult<Authorization>>;
  abstract findById(id: number): Promise<Authorization | null>;
  /** CONFLICT when the user already holds an authorisation for the machine. */
  abstract create(userId: string, machineId: number): Promise<Authorization>;
  /** Adds the missing ones in one statement; returns those it added. */
  abstract addMissing(machineId: number, userIds: readonly string[]): Promise<Authorization[]>;
  abstract delete(id: number): Promise<void>;
  /** Those of `userIds` holding an authorisation for the machine, in one query. */
  abstract authorizedAmong(machineId: number, userIds: readonly string[]): Promise<Set<string>>;
  abstract countOfMachine(machineId: number): Promise<number>;
  abstract deleteOfMachine(machineId: number): Promise<void>;
}

export interface OpenAndLatestUse {
  /** The machine's open use (at most one: the database guarantees it). */
  open: Use | null;
  /** The machine's most recently started use, open or closed. */
  latest: Use | null;
}

export interface OrphanedUse {
  id: string;
  machineId: number;
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

export type UsageGrouping = 'MACHINE' | 'USER';

/** Closed uses overlapping a window, clipped to it, summed per machine or per user. */
export interface UsageTotal {
  /** Machine id or user id (null: anonymised uses). */
  key: number | string | null;
  seconds: number;
  uses: number;
}

export abstract class UseRepository implements MachineRecords {
  /**
   * Serialises the use changes of one machine across replicas until the running
   * transaction ends (call inside Transactions.run).
   */
  abstract lockMachine(machineId: number): Promise<void>;
  abstract openAndLatest(machineId: number): Promise<OpenAndLatestUse>;
  /** The open uses (one per machine at most) of every machine, or of those given. */
  abstract openUses(machineIds?: readonly number[]): Promise<Use[]>;
  /** Open uses whose last message is older than `silentSince`, oldest first. */
  abstract findOrphaned(silentSince: Date, limit: number): Promise<OrphanedUse[]>;
  /** Newest first. */
  abstract list(filter: UseFilter, page: Page): Promise<PageResult<Use>>;
  abstract findById(id: string): Promise<Use | null>;
  /** CONFLICT when it is open and the machine has an open use already. */
  abstract insert(use: NewUse): Promise<Use>;
  /** Closes the open use, or (alreadyClosed) re-closes an auto-closed one with the board's duration; false when nothing matched. */
  abstract close(closing: UseClosing, alreadyClosed: boolean): Promise<boolean>;
  abstract refresh(useId: string, lastSeenAt: Date): Promise<void>;
  /**
   * Moves the machine's open use's last heartbeat forward in one statement; false when the
   * machine has no open use. Atomic on its own: a use closed meanwhile is not matched. Call
   * it outside a transaction: a heartbeat is committed without waiting for the disk.
   */
  abstract refreshOpen(machineId: number, lastSeenAt: Date): Promise<boolean>;
  /** CONFLICT when it would open a second use of the machine. */
  abstract update(id: string, changes: UseChanges): Promise<Use>;
  abstract delete(id: string): Promise<void>;
  abstract usage(window: UsageWindow, groupBy: UsageGrouping): Promise<UsageTotal[]>;
  /** Anonymises closed uses that ended before the cutoff; returns how many. */
  abstract anonymizeBefore(cutoff: Date): Promise<number>;
  abstract countOfMachine(machineId: number): Promise<number>;
  abstract deleteOfMachine(machineId: number): Promise<void>;
}

export type PlanFields = Pick<MaintenancePlan, 'description' | 'lcdMessage' | 'hoursBetween' | 'instructionsUrl'>;
export type NewIntervention = Omit<Intervention, 'id' | 'anonymized' | 'createdAt'>;
export type InterventionChanges = Partial<Pick<Intervention, 'performedAt' | 'notes' | 'userId'>>;

export interface InterventionFilter {
  machineId?: number;
  planId?: number;
  userId?: string;
}

/** Maintenance plans and the interventions that reset them. */
export abstract class MaintenanceRepository implements MachineRecords {
  /**
   * The plans of every machine, or of those given, each with its last intervention and the
   * time of the closed uses since then; by machine, then plan.
   */
  abstract progress(machineIds?: readonly number[]): Promise<PlanProgress[]>;
  abstract findPlan(id: number): Promise<MaintenancePlan | null>;
  abstract createPlan(machineId: number, fields: PlanFields): Promise<MaintenancePlan>;
  abstract updatePlan(id: number, fields: Partial<PlanFields>): Promise<MaintenancePlan>;
  /** Its interventions go with it. */
  abstract deletePlan(id: number): Promise<void>;
  abstract addInterventions(interventions: readonly NewIntervention[]): Promise<Intervention[]>;
  /** Newest first. */
  abstract listInterventions(filter: InterventionFilter, page: Page): Promise<PageResult<Intervention>>;
  abstract findIntervention(id: string): Promise<Intervention | null>;
  abstract updateIntervention(id: string, changes: InterventionChanges): Promise<Intervention>;
  abstract deleteIntervention(id: string): Promise<void>;
  /** Anonymises interventions performed before the cutoff; returns how many. */
  abstract anonymizeInterventionsBefore(cutoff: Date): Promise<number>;
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

/** Attempts of cards nobody holds. */
export abstract class UnknownCardRepository implements MachineRecords {
  abstract record(cardUid: string, machineId: number, attemptedAt: Date): Promise<void>;
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

/** The one board of each machine, as its last `alive` described it. */
export abstract class BoardRepository implements MachineRecords {
  /** One statement for all; a board row is never overwritten by an older sighting. */
  abstract upsertMany(boards: readonly Board[]): Promise<void>;
  /** By machine. */
  abstract list(): Promise<Board[]>;
  abstract countOfMachine(machineId: number): Promise<number>;
  abstract deleteOfMachine(machineId: number): Promise<void>;
}
