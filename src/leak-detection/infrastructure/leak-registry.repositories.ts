import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { escapeLike } from '../../shared/database/escape-like.js';
import { transactionalManager } from '../../shared/database/transactions.adapter.js';
import { translateUniqueViolation } from '../../shared/database/unique-violation.js';
import type { PageResult } from '../../shared/graphql/pagination.js';
import type { Field, Sensor, SensorFields, SensorRef, Template, TemplateFields } from '../domain/registry.js';
import {
  FieldRepository,
  SensorRepository,
  TemplateRepository,
  type SensorFilter,
} from '../application/registry.ports.js';
import { LeakFieldOrmEntity, LeakSensorOrmEntity, LeakTemplateOrmEntity } from './leak-detection.orm-entities.js';

type Page = { offset: number; limit: number };

const FIELD_NAME = { UQ_leak_fields_name: { field: 'name', message: 'A field has this name' } };
const TEMPLATE_NAME = {
  UQ_leak_templates_field_name: { field: 'name', message: 'A template of this field has this name' },
};
const SENSOR_NAME = { UQ_leak_sensors_name: { field: 'name', message: 'A sensor has this name' } };

@Injectable()
export class TypeormFieldRepository extends FieldRepository {
  constructor(@InjectRepository(LeakFieldOrmEntity) private readonly repo: Repository<LeakFieldOrmEntity>) {
    super();
  }

  async list(): Promise<Field[]> {
    return (await this.repo.find({ order: { name: 'ASC' } })).map(toField);
  }

  async find(id: number): Promise<Field | null> {
    const row = await this.repo.findOneBy({ id });
    return row && toField(row);
  }

  async create(field: Omit<Field, 'id'>): Promise<Field> {
    return toField(await translateUniqueViolation(this.repo.save(this.repo.create(field)), FIELD_NAME));
  }

  async update(id: number, changes: Partial<Omit<Field, 'id'>>): Promise<Field> {
    await translateUniqueViolation(this.repo.update(id, changes), FIELD_NAME);
    return toField(await this.repo.findOneByOrFail({ id }));
  }

  async delete(id: number): Promise<void> {
    await transactionalManager(this.repo.manager).delete(LeakFieldOrmEntity, { id });
  }
}

@Injectable()
export class TypeormTemplateRepository extends TemplateRepository {
  constructor(@InjectRepository(LeakTemplateOrmEntity) private readonly repo: Repository<LeakTemplateOrmEntity>) {
    super();
  }

  async list(fieldId: number | undefined, page: Page): Promise<PageResult<Template>> {
    const [rows, totalCount] = await this.repo.findAndCount({
      where: fieldId === undefined ? {} : { fieldId },
      order: { name: 'ASC', id: 'ASC' },
      skip: page.offset,
      take: page.limit,
    });
    return { items: rows.map(toTemplate), totalCount, ...page };
  }

  async find(id: number): Promise<Template | null> {
    const row = await this.repo.findOneBy({ id });
    return row && toTemplate(row);
  }

  async create(fieldId: number, fields: TemplateFields): Promise<Template> {
    return toTemplate(
      await translateUniqueViolation(this.repo.save(this.repo.create({ ...fields, fieldId })), TEMPLATE_NAME),
    );
  }

  async update(id: number, changes: Partial<TemplateFields>): Promise<Template> {
    const row = await this.repo.findOneByOrFail({ id });
    return toTemplate(await translateUniqueViolation(this.repo.save({ ...row, ...changes }), TEMPLATE_NAME));
  }

  async delete(id: number): Promise<void> {
    await transactionalManager(this.repo.manager).delete(LeakTemplateOrmEntity, { id });
  }
}

@Injectable()
export class TypeormSensorRepository extends SensorRepository {
  constructor(@InjectRepository(LeakSensorOrmEntity) private readonly repo: Repository<LeakSensorOrmEntity>) {
    super();
  }

  async list(filter: SensorFilter, page: Page): Promise<PageResult<Sensor>> {
    const query = this.repo
      .createQueryBuilder('sensor')
      .orderBy('sensor.name', 'ASC')
      .skip(page.offset)
      .take(page.limit);
    if (filter.templateId !== undefined) query.andWhere('sensor.templateId = :templateId', filter);
    if (filter.fieldId !== undefined)
      query.innerJoin('sensor.template', 'template').andWhere('template.fieldId = :fieldId', filter);
    if (filter.pinned !== undefined) query.andWhere('sensor.pinned = :pinned', filter);
    if (filter.text) query.andWhere('sensor.name ILIKE :text', { text: `%${escapeLike(filter.text)}%` });
    const [rows, totalCount] = await query.getManyAndCount();
    return { items: rows.map(toSensor), totalCount, ...page };
  }

  async find(id: number): Promise<Sensor | null> {
    const row = await this.repo.findOneBy({ id });
    return row && toSensor(row);
  }

  async create(templateId: number, fields: SensorFields): Promise<Sensor> {
    return toSensor(
      await translateUniqueViolation(this.repo.save(this.repo.create({ ...fields, templateId })), SENSOR_NAME),
    );
  }

  async update(id: number, changes: Partial<SensorFields & { feedbackMode: boolean }>): Promise<Sensor> {
    const row = await this.repo.findOneByOrFail({ id });
    return toSensor(await translateUniqueViolation(this.repo.save({ ...row, ...changes }), SENSOR_NAME));
  }

  async delete(id: number): Promise<void> {
    await transactionalManager(this.repo.manager).delete(LeakSensorOrmEntity, { id });
  }

  async idsOf(scope: { templateId?: number; fieldId?: number }): Promise<number[]> {
    const query = this.repo.createQueryBuilder('sensor').select('sensor.id', 'id');
    if (scope.templateId !== undefined) query.where('sensor.templateId = :templateId', scope);
    else query.innerJoin('sensor.template', 'template').where('template.fieldId = :fieldId', scope);
    return (await query.getRawMany<{ id: number }>()).map((r) => r.id);
  }

  async lockForDeletion(ids: readonly number[]): Promise<void> {
    if (!ids.length) return;
    await transactionalManager(this.repo.manager).query(
      'SELECT id FROM leak_sensors WHERE id = ANY($1::int[]) FOR UPDATE',
      [[...ids]],
    );
  }

  async loadRefs(): Promise<SensorRef[]> {
    const rows = await this.repo.find({
      select: {
        id: true,
        name: true,
        templateId: true,
        window: true,
        warningPercent: true,
        criticalPercent: true,
        feedbackMode: true,
      },
    });
    return rows.map(({ id, name, templateId, window, warningPercent, criticalPercent, feedbackMode }) => ({
      id,
      name,
      templateId,
      window,
      warningPercent,
      criticalPercent,
      feedbackMode,
    }));
  }
}

function toField(row: LeakFieldOrmEntity): Field {
  return { id: row.id, name: row.name, tagPrefix: row.tagPrefix, description: row.description };
}

function toTemplate(row: LeakTemplateOrmEntity): Template {
  return {
    id: row.id,
    fieldId: row.fieldId,
    name: row.name,
    angleFromNorth: row.angleFromNorth,
    height: row.height,
    roofHeight: row.roofHeight,
    porosity: row.porosity,
    wallArea: row.wallArea,
    inclination: row.inclination,
    internalVolume: row.internalVolume,
    length: row.length,
    width: row.width,
  };
}

function toSensor(row: LeakSensorOrmEntity): Sensor {
  return {
    id: row.id,
    templateId: row.templateId,
    name: row.name,
    x: row.x,
    y: row.y,
    z: row.z,
    pinned: row.pinned,
    feedbackMode: row.feedbackMode,
    window: row.window,
    warningPercent: row.warningPercent,
    criticalPercent: row.criticalPercent,
  };
}
