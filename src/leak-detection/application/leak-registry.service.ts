import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Transactions } from '../../shared/database/transactions.js';
import { InvalidInputError, NotFoundError } from '../../shared/errors/domain-errors.js';
import type { PageResult } from '../../shared/graphql/pagination.js';
import { UnregisteredSources } from '../../shared/ingestion/unregistered-sources.service.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import { applyRules, requireFields, throwIfProblems, withoutUndefined } from '../../shared/validation/field-rules.js';
import {
  DEFAULT_CRITICAL_PERCENT,
  DEFAULT_WARNING_PERCENT,
  DEFAULT_WINDOW,
  SENSOR_RULES,
  sensorProblems,
  TEMPLATE_RULES,
  templateProblems,
  type Field,
  type Sensor,
  type SensorFields,
  type SensorRef,
  type Template,
  type TemplateFields,
} from '../domain/registry.js';
import { FieldRepository, SensorRepository, TemplateRepository, type SensorFilter } from './registry.ports.js';

/** Published after every change of sensors, so that every replica reloads its directory. */
export const LEAK_SENSORS_CHANGED = 'leaks.sensors-changed';

/**
 * What other parts of the context hold per sensor (readings, anomaly levels, scorer state):
 * counted for the deletion report, and deleted inside the deletion's transaction.
 */
export interface SensorDeletionParticipant {
  what: string;
  count(sensorIds: readonly number[]): Promise<number>;
  delete(sensorIds: readonly number[]): Promise<void>;
}

/**
 * What other parts of the context hold per template (candidate leaks, sea currents): counted
 * for the deletion report; the rows go with their template (foreign keys cascade).
 */
export interface TemplateDeletionParticipant {
  what: string;
  count(scope: { templateId: number } | { fieldId: number }): Promise<number>;
}

export interface DeletionReport {
  deleted: string;
  removed: { what: string; count: number }[];
}

export type CreateTemplateCommand = Pick<TemplateFields, 'name' | 'angleFromNorth'> & Partial<TemplateFields>;
export type CreateSensorCommand = Pick<SensorFields, 'name' | 'x' | 'y' | 'z'> & Partial<SensorFields>;

type Page = { offset: number; limit: number };

/**
 * The registry of leak detection: fields, templates, sensors. Keeps the in-memory directory
 * (sensor name → sensor) that the ingestion path resolves `plant/sensors/{name}/ppmv` with,
 * current on every replica. Deleting says what goes with it, and takes it all in one
 * transaction.
 */
@Injectable()
export class LeakRegistryService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LeakRegistryService.name);
  private byName = new Map<string, SensorRef>();
  private byId = new Map<number, SensorRef>();
  private readonly participants: SensorDeletionParticipant[] = [];
  private readonly templateParticipants: TemplateDeletionParticipant[] = [];
  private readonly origin = randomUUID();
  private changes?: AsyncIterableIterator<{ origin: string }>;

  constructor(
    private readonly fields: FieldRepository,
    private readonly templates: TemplateRepository,
    private readonly sensors: SensorRepository,
    private readonly transactions: Transactions,
    private readonly pubsub: PubSub,
    private readonly unregistered: UnregisteredSources,
  ) {}

  async onModuleInit(): Promise<void> {
    this.changes = this.pubsub.subscribe<{ origin: string }>(LEAK_SENSORS_CHANGED);
    void this.followChanges(this.changes);
    await this.reload();
  }

  async onModuleDestroy(): Promise<void> {
    await this.changes?.return?.();
  }

  registerDeletionParticipant(participant: SensorDeletionParticipant): void {
    this.participants.push(participant);
  }

  registerTemplateDeletionParticipant(participant: TemplateDeletionParticipant): void {
    this.templateParticipants.push(participant);
  }

  // The hot path: from memory.

  findSensorByName(name: string): SensorRef | undefined {
    return this.byName.get(name);
  }

  findSensorById(id: number): SensorRef | undefined {
    return this.byId.get(id);
  }

  allSensors(): SensorRef[] {
    return [...this.byId.values()];
  }

  /** The sensors of a list argument; unknown names are named under `field`. */
  requireSensorsByName(names: readonly string[], field = 'sensorNames'): SensorRef[] {
    const unique = [...new Set(names)];
    const unknown = unique.filter((name) => !this.byName.has(name));
    if (unknown.length)
      throw new InvalidInputError(`Unknown sensor(s): ${unknown.join(', ')}`, {
        [field]: `unknown: ${unknown.join(', ')}`,
      });
    return unique.map((name) => this.byName.get(name)!);
  }

  // Fields.

  listFields(): Promise<Field[]> {
    return this.fields.list();
  }

  async getField(id: number): Promise<Field> {
    return (await this.fields.find(id)) ?? notFound('Field', id);
  }

  createField(command: Pick<Field, 'name'> & Partial<Omit<Field, 'id'>>): Promise<Field> {
    const field = { tagPrefix: '', description: '', ...withoutUndefined(command), name: command.name };
    throwIfProblems('field', fieldProblems(field));
    return this.fields.create(field);
  }

  async updateField(id: number, command: Partial<Omit<Field, 'id'>>): Promise<Field> {
    const field = await this.getField(id);
    const changes = withoutUndefined(command);
    throwIfProblems('field', fieldProblems({ ...field, ...changes }));
    return this.fields.update(id, changes);
  }

  async deleteField(id: number): Promise<DeletionReport> {
    const field = await this.getField(id);
    const templates = await this.templates.list(id, { offset: 0, limit: 1 });
    const sensorIds = await this.sensors.idsOf({ fieldId: id });
    const templateData = await this.countTemplateData({ fieldId: id });
    const removed = await this.transactions.run(async () => {
      const report = await this.deleteSensorData(sensorIds);
      await this.fields.delete(id);
      return report;
    });
    await this.announceChange();
    return {
      deleted: `field ${field.name}`,
      removed: [
        { what: 'templates', count: templates.totalCount },
        { what: 'sensors', count: sensorIds.length },
        ...removed,
        ...templateData,
      ],
    };
  }

  // Templates.

  listTemplates(fieldId: number | undefined, page: Page): Promise<PageResult<Template>> {
    return this.templates.list(fieldId, page);
  }

  async getTemplate(id: number): Promise<Template> {
    return (await this.templates.find(id)) ?? notFound('Template', id);
  }

  async createTemplate(fieldId: number, command: CreateTemplateCommand): Promise<Template> {
    await this.getField(fieldId);
    const defaults: TemplateFields = {
      name: '',
      angleFromNorth: 0,
      height: null,
      roofHeight: null,
      porosity: null,
      wallArea: null,
      inclination: null,
      internalVolume: null,
      length: null,
      width: null,
    };
    const { fields, problems } = applyRules(command, TEMPLATE_RULES);
    Object.assign(problems, requireFields(command, ['name', 'angleFromNorth']));
    const template = { ...defaults, ...fields };
    throwIfProblems('template', { ...problems, ...templateProblems(template) });
    return this.templates.create(fieldId, template);
  }

  async updateTemplate(id: number, command: Partial<TemplateFields>): Promise<Template> {
    const template = await this.getTemplate(id);
    const { fields, problems } = applyRules(withoutUndefined(command), TEMPLATE_RULES);
    throwIfProblems('template', { ...problems, ...templateProblems({ ...template, ...fields }) });
    return this.templates.update(id, fields);
  }

  async deleteTemplate(id: number): Promise<DeletionReport> {
    const template = await this.getTemplate(id);
    const sensorIds = await this.sensors.idsOf({ templateId: id });
    const templateData = await this.countTemplateData({ templateId: id });
    const removed = await this.transactions.run(async () => {
      const report = await this.deleteSensorData(sensorIds);
      await this.templates.delete(id);
      return report;
    });
    await this.announceChange();
    return {
      deleted: `template ${template.name}`,
      removed: [{ what: 'sensors', count: sensorIds.length }, ...removed, ...templateData],
    };
  }

  // Sensors.

  listSensors(filter: SensorFilter, page: Page): Promise<PageResult<Sensor>> {
    return this.sensors.list(filter, page);
  }

  async getSensor(id: number): Promise<Sensor> {
    return (await this.sensors.find(id)) ?? notFound('Sensor', id);
  }

  async getSensorByName(name: string): Promise<Sensor> {
    const ref = this.byName.get(name);
    return ref ? this.getSensor(ref.id) : notFound('Sensor', name);
  }

  async createSensor(templateId: number, command: CreateSensorCommand): Promise<Sensor> {
    await this.getTemplate(templateId);
    const { fields, problems } = applyRules(command, SENSOR_RULES);
    Object.assign(problems, requireFields(command, ['name', 'x', 'y', 'z']));
    const sensor: SensorFields = {
      name: '',
      x: 0,
      y: 0,
      z: 0,
      pinned: false,
      window: DEFAULT_WINDOW,
      warningPercent: DEFAULT_WARNING_PERCENT,
      criticalPercent: DEFAULT_CRITICAL_PERCENT,
      ...fields,
    };
    throwIfProblems('sensor', { ...problems, ...sensorProblems(sensor) });
    const created = await this.sensors.create(templateId, sensor);
    await this.announceChange();
    return created;
  }

  /**
   * Creates the sensor an unregistered topic names (its name from the topic) on a template,
   * and clears the topic from the list. A sensor created meanwhile is kept as it is.
   */
  async registerUnregisteredSensor(
    topic: string,
    templateId: number,
    command: Omit<CreateSensorCommand, 'name'>,
  ): Promise<Sensor> {
    const source = await this.unregistered.find(topic, null);
    if (!source) throw new NotFoundError('Unregistered source', topic);
    if (source.kind !== 'sensor')
      throw new InvalidInputError(`${topic} is not a sensor's topic`, { topic: `a ${source.kind} topic` });
    const existing = this.byName.get(source.sourceKey);
    const sensor = existing
      ? await this.getSensor(existing.id)
      : await this.createSensor(templateId, { ...command, name: source.sourceKey });
    await this.unregistered.forget('sensor', source.sourceKey);
    return sensor;
  }

  async updateSensor(id: number, command: Partial<SensorFields>): Promise<Sensor> {
    const sensor = await this.getSensor(id);
    const { fields, problems } = applyRules(withoutUndefined(command), SENSOR_RULES);
    throwIfProblems('sensor', { ...problems, ...sensorProblems({ ...sensor, ...fields }) });
    const updated = await this.sensors.update(id, fields);
    await this.announceChange();
    return updated;
  }

  /** Operators' "this is normal" (LeakEventsService checks it may be turned on); the sensor's owner follows it. */
  async setFeedbackMode(id: number, on: boolean): Promise<Sensor> {
    await this.getSensor(id);
    const updated = await this.sensors.update(id, { feedbackMode: on });
    await this.announceChange();
    return updated;
  }

  async deleteSensor(id: number): Promise<DeletionReport> {
    const sensor = await this.getSensor(id);
    const removed = await this.transactions.run(async () => {
      const report = await this.deleteSensorData([id]);
      await this.sensors.delete(id);
      return report;
    });
    await this.announceChange();
    return { deleted: `sensor ${sensor.name}`, removed };
  }

  private async deleteSensorData(sensorIds: readonly number[]): Promise<{ what: string; count: number }[]> {
    // First, so that an import committing now is either counted and deleted here, or fails.
    await this.sensors.lockForDeletion(sensorIds);
    const counts: { what: string; count: number }[] = [];
    for (const { what, count } of this.participants)
      counts.push({ what, count: sensorIds.length ? await count(sensorIds) : 0 });
    if (sensorIds.length) for (const participant of this.participants) await participant.delete(sensorIds);
    return counts;
  }

  private async countTemplateData(
    scope: { templateId: number } | { fieldId: number },
  ): Promise<{ what: string; count: number }[]> {
    const counts: { what: string; count: number }[] = [];
    for (const { what, count } of this.templateParticipants) counts.push({ what, count: await count(scope) });
    return counts;
  }

  /** This replica reloads before answering (a device may publish for the new sensor at once); others on the event. */
  private async announceChange(): Promise<void> {
    await this.reload();
    await this.pubsub.publish(LEAK_SENSORS_CHANGED, { origin: this.origin });
  }

  private async reload(): Promise<void> {
    const refs = await this.sensors.loadRefs();
    this.byName = new Map(refs.map((s) => [s.name, s]));
    this.byId = new Map(refs.map((s) => [s.id, s]));
  }

  private async followChanges(changes: AsyncIterableIterator<{ origin: string }>): Promise<void> {
    try {
      for await (const change of changes)
        if (change.origin !== this.origin)
          await this.reload().catch((err) => this.logger.error({ err }, 'Reloading the sensor directory failed'));
    } catch (err) {
      this.logger.error({ err }, 'Following sensor changes stopped');
    }
  }
}

function fieldProblems(field: Omit<Field, 'id'>): Record<string, string> {
  const problems: Record<string, string> = {};
  if (typeof field.name !== 'string' || !field.name.trim() || field.name.length > 100)
    problems.name = 'must be 1 to 100 characters';
  if (field.tagPrefix.length > 50) problems.tagPrefix = 'must be at most 50 characters';
  if (field.description.length > 2000) problems.description = 'must be at most 2000 characters';
  return problems;
}

function notFound(entity: string, key: number | string): never {
  throw new NotFoundError(entity, key);
}
