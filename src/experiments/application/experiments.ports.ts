import type { PageResult } from '../../shared/graphql/pagination.js';
import type { HistoryPlan } from '../../shared/ingestion/history-window.js';
import type { ArchiveAnswer } from '../domain/archived-samples.js';
import type { Experiment, ExperimentFields, Pv, PvFields, PvRef } from '../domain/experiments.js';

type Page = { offset: number; limit: number };

export interface ExperimentFilter {
  /** Only these experiments (the ones the caller may see); every one when undefined. */
  ids?: readonly number[];
  /** Part of the name or the human-readable name, case-insensitive. */
  text?: string;
}

export interface PvFilter {
  /** Only PVs of these experiments (the ones the caller may see, or the one asked for); every one when undefined. */
  experimentIds?: readonly number[];
  writable?: boolean;
  type?: PvFields['type'];
  /** Part of the name or the human-readable name, case-insensitive. */
  text?: string;
}

export interface Assignment {
  experimentId: number;
  userId: string;
  assignedAt: Date;
}

/** A value set on a PV and taken by the broker. */
export interface PvSet {
  id: string;
  pvId: number;
  pvName: string;
  userId: string | null;
  value: string;
  at: Date;
}

export interface PvSetFilter {
  /** Only sets of PVs of these experiments (the ones the caller may see); every one when undefined. */
  experimentIds?: readonly number[];
  pvIds?: readonly number[];
  userId?: string;
  from?: Date;
  to?: Date;
}

export abstract class ExperimentRepository {
  abstract list(filter: ExperimentFilter, page: Page): Promise<PageResult<Experiment>>;
  abstract create(name: string, fields: ExperimentFields): Promise<Experiment>;
  abstract update(id: number, changes: Partial<ExperimentFields>): Promise<Experiment>;
  /** Its PVs, assignments and sets go with it (foreign keys cascade); joins the running transaction. */
  abstract delete(id: number): Promise<void>;
  abstract loadAll(): Promise<Experiment[]>;
}

export abstract class PvRepository {
  abstract list(filter: PvFilter, page: Page): Promise<PageResult<Pv>>;
  abstract create(experimentId: number, name: string, fields: PvFields): Promise<Pv>;
  abstract update(id: number, changes: Partial<PvFields>): Promise<Pv>;
  /** Its sets go with it; joins the running transaction. */
  abstract delete(id: number): Promise<void>;
  /** Every PV as the ingestion path and the access checks know it. */
  abstract loadRefs(): Promise<PvRef[]>;
}

export abstract class AssignmentRepository {
  /** Idempotent: assigning an assigned user changes nothing. */
  abstract assign(experimentId: number, userId: string): Promise<void>;
  /** Idempotent; whether the user was assigned. */
  abstract unassign(experimentId: number, userId: string): Promise<boolean>;
  abstract list(experimentId: number, page: Page): Promise<PageResult<Assignment>>;
  /** Every assignment of a user (deleted); how many there were. */
  abstract removeUser(userId: string): Promise<number>;
  abstract loadAll(): Promise<Array<{ experimentId: number; userId: string }>>;
}

export abstract class PvSetRepository {
  abstract record(set: Omit<PvSet, 'id' | 'pvName'>): Promise<PvSet>;
  abstract list(filter: PvSetFilter, page: Page): Promise<PageResult<PvSet>>;
  abstract countOf(pvIds: readonly number[]): Promise<number>;
}

/** A bucket of a PV's values: min/max/avg of numbers, the last text of texts. */
export interface PvBucket {
  pvId: number;
  t: Date;
  count: number;
  min: number | null;
  max: number | null;
  avg: number | null;
  lastText: string | null;
}

export type PvSeries =
  | {
      mode: 'raw';
      pvId: number;
      samples: Array<{ ts: Date; value: number | null; text: string | null }>;
      truncated: boolean;
    }
  | { mode: 'bucketed'; pvId: number; buckets: PvBucket[] };

/** History reads of PV values (plain SQL over the partitioned table). */
export abstract class PvHistoryRepository {
  abstract history(pvIds: readonly number[], plan: HistoryPlan): Promise<PvSeries[]>;
}

/**
 * An EPICS Archiver Appliance (ARCHIVER_URL), when the lab has one. Throws
 * ArchiverUnavailableError when it cannot answer (down, timeout, an error or an answer of
 * another shape).
 */
export abstract class PvArchive {
  abstract readonly configured: boolean;
  /** The PV's archived samples in [from, to] as the archiver gives them, or that it does not know the PV. */
  abstract history(pvName: string, from: Date, to: Date): Promise<ArchiveAnswer>;
}
