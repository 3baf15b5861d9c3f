import type { PageResult } from '../../shared/graphql/pagination.js';
import type { Field, Sensor, SensorFields, SensorRef, Template, TemplateFields } from '../domain/registry.js';

type Page = { offset: number; limit: number };

export interface SensorFilter {
  templateId?: number;
  fieldId?: number;
  pinned?: boolean;
  /** Part of the name (tag), case-insensitive. */
  text?: string;
}

/** One repository per aggregate: a field, a template, a sensor. */
export abstract class FieldRepository {
  abstract list(): Promise<Field[]>;
  abstract find(id: number): Promise<Field | null>;
  abstract create(field: Omit<Field, 'id'>): Promise<Field>;
  abstract update(id: number, changes: Partial<Omit<Field, 'id'>>): Promise<Field>;
  /** Its templates and their sensors go with it (foreign keys cascade); joins the running transaction. */
  abstract delete(id: number): Promise<void>;
}

export abstract class TemplateRepository {
  abstract list(fieldId: number | undefined, page: Page): Promise<PageResult<Template>>;
  abstract find(id: number): Promise<Template | null>;
  abstract create(fieldId: number, fields: TemplateFields): Promise<Template>;
  abstract update(id: number, changes: Partial<TemplateFields>): Promise<Template>;
  /** Its sensors go with it; joins the running transaction. */
  abstract delete(id: number): Promise<void>;
}

export abstract class SensorRepository {
  abstract list(filter: SensorFilter, page: Page): Promise<PageResult<Sensor>>;
  abstract find(id: number): Promise<Sensor | null>;
  abstract create(templateId: number, fields: SensorFields): Promise<Sensor>;
  abstract update(id: number, changes: Partial<SensorFields & { feedbackMode: boolean }>): Promise<Sensor>;
  /** Its events go with it; joins the running transaction. */
  abstract delete(id: number): Promise<void>;
  /** The ids of the sensors of templates (or of a field's templates). */
  abstract idsOf(scope: { templateId?: number; fieldId?: number }): Promise<number[]>;
  /**
   * Locks the sensors' rows until the transaction ends: a readings import holding one (FOR KEY
   * SHARE) commits before their data goes, or finds them gone.
   */
  abstract lockForDeletion(ids: readonly number[]): Promise<void>;
  /** Every sensor as the ingestion path knows it. */
  abstract loadRefs(): Promise<SensorRef[]>;
}
