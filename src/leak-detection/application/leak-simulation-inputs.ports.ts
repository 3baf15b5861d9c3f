import type { PageResult } from '../../shared/graphql/pagination.js';
import type { LeakCandidate, LeakCandidateFields } from '../domain/leak-candidates.js';
import type { PlumeParameters } from '../domain/plume-model.js';
import type { SeaCurrentRow } from '../domain/sea-currents.js';

type Page = { offset: number; limit: number };

/** A template, or every template of a field (what a deletion takes). */
export type TemplateScope = { templateId: number } | { fieldId: number };

export abstract class LeakCandidateRepository {
  /** By name. */
  abstract list(templateId: number, page: Page): Promise<PageResult<LeakCandidate>>;
  /** Every candidate of the template, by name (a simulation takes them all). */
  abstract all(templateId: number): Promise<LeakCandidate[]>;
  abstract find(id: number): Promise<LeakCandidate | null>;
  abstract create(templateId: number, fields: LeakCandidateFields): Promise<LeakCandidate>;
  abstract update(id: number, changes: Partial<LeakCandidateFields>): Promise<LeakCandidate>;
  abstract delete(id: number): Promise<void>;
  abstract count(scope: TemplateScope): Promise<number>;
}

export abstract class SeaCurrentRepository {
  /**
   * Stores the rows in one transaction: all or none. A row at a time the template already has
   * replaces it. Returns how many replaced existing rows.
   */
  abstract store(templateId: number, rows: readonly SeaCurrentRow[]): Promise<{ replaced: number }>;
  /** Oldest first, within [from, to). */
  abstract list(templateId: number, window: { from: Date; to: Date }, page: Page): Promise<PageResult<SeaCurrentRow>>;
  /** The newest `count` rows at or before `at`, oldest first. */
  abstract latest(templateId: number, at: Date, count: number): Promise<SeaCurrentRow[]>;
  abstract count(scope: TemplateScope): Promise<number>;
}

export abstract class PlumeParametersRepository {
  abstract get(): Promise<PlumeParameters>;
  abstract update(changes: Partial<PlumeParameters>): Promise<PlumeParameters>;
}
