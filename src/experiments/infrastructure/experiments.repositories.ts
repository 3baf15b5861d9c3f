import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, type Repository } from 'typeorm';
import { escapeLike } from '../../shared/database/escape-like.js';
import { transactionalManager } from '../../shared/database/transactions.adapter.js';
import { translateUniqueViolation } from '../../shared/database/unique-violation.js';
import type { PageResult } from '../../shared/graphql/pagination.js';
import type { Experiment, ExperimentFields, Pv, PvFields, PvRef, PvType } from '../domain/experiments.js';
import {
  AssignmentRepository,
  ExperimentRepository,
  PvRepository,
  PvSetRepository,
  type Assignment,
  type ExperimentFilter,
  type PvFilter,
  type PvSet,
  type PvSetFilter,
} from '../application/experiments.ports.js';
import {
  ExperimentOrmEntity,
  ExperimentUserOrmEntity,
  PvOrmEntity,
  PvSetOrmEntity,
} from './experiments.orm-entities.js';

type Page = { offset: number; limit: number };

const EXPERIMENT_NAME = { UQ_experiments_name: { field: 'name', message: 'An experiment has this name' } };
const PV_NAME = { UQ_pvs_name: { field: 'name', message: 'A PV has this name' } };

@Injectable()
export class TypeormExperimentRepository extends ExperimentRepository {
  constructor(@InjectRepository(ExperimentOrmEntity) private readonly repo: Repository<ExperimentOrmEntity>) {
    super();
  }

  async list(filter: ExperimentFilter, page: Page): Promise<PageResult<Experiment>> {
    if (filter.ids && !filter.ids.length) return { items: [], totalCount: 0, ...page };
    const query = this.repo.createQueryBuilder('e').orderBy('e.name', 'ASC').skip(page.offset).take(page.limit);
    if (filter.ids) query.andWhere('e.id IN (:...ids)', { ids: filter.ids });
    if (filter.text)
      query.andWhere('(e.name ILIKE :text OR e.displayName ILIKE :text)', { text: `%${escapeLike(filter.text)}%` });
    const [rows, totalCount] = await query.getManyAndCount();
    return { items: rows.map(toExperiment), totalCount, ...page };
  }

  async create(name: string, fields: ExperimentFields): Promise<Experiment> {
    return toExperiment(
      await translateUniqueViolation(this.repo.save(this.repo.create({ ...fields, name })), EXPERIMENT_NAME),
    );
  }

  async update(id: number, changes: Partial<ExperimentFields>): Promise<Experiment> {
    if (Object.keys(changes).length) await this.repo.update(id, changes);
    return toExperiment(await this.repo.findOneByOrFail({ id }));
  }

  async delete(id: number): Promise<void> {
    await transactionalManager(this.repo.manager).delete(ExperimentOrmEntity, { id });
  }

  async loadAll(): Promise<Experiment[]> {
    return (await this.repo.find()).map(toExperiment);
  }
}

@Injectable()
export class TypeormPvRepository extends PvRepository {
  constructor(@InjectRepository(PvOrmEntity) private readonly repo: Repository<PvOrmEntity>) {
    super();
  }

  async list(filter: PvFilter, page: Page): Promise<PageResult<Pv>> {
    if (filter.experimentIds && !filter.experimentIds.length) return { items: [], totalCount: 0, ...page };
    const query = this.repo.createQueryBuilder('pv').orderBy('pv.name', 'ASC').skip(page.offset).take(page.limit);
    if (filter.experimentIds) query.andWhere('pv.experimentId IN (:...ids)', { ids: filter.experimentIds });
    if (filter.writable !== undefined) query.andWhere('pv.writable = :writable', filter);
    if (filter.type !== undefined) query.andWhere('pv.type = :type', filter);
    if (filter.text)
      query.andWhere(
        new Brackets((q) =>
          q
            .where('pv.name ILIKE :text', { text: `%${escapeLike(filter.text!)}%` })
            .orWhere('pv.displayName ILIKE :text'),
        ),
      );
    const [rows, totalCount] = await query.getManyAndCount();
    return { items: rows.map(toPv), totalCount, ...page };
  }

  async create(experimentId: number, name: string, fields: PvFields): Promise<Pv> {
    return toPv(
      await translateUniqueViolation(this.repo.save(this.repo.create({ ...fields, name, experimentId })), PV_NAME),
    );
  }

  async update(id: number, changes: Partial<PvFields>): Promise<Pv> {
    const row = await this.repo.findOneByOrFail({ id });
    return toPv(await this.repo.save({ ...row, ...changes }));
  }

  async delete(id: number): Promise<void> {
    await transactionalManager(this.repo.manager).delete(PvOrmEntity, { id });
  }

  async loadRefs(): Promise<PvRef[]> {
    const rows = await this.repo.find({ relations: { experiment: true } });
    return rows.map((row) => ({ ...toPv(row), experimentName: row.experiment!.name }));
  }
}

@Injectable()
export class TypeormAssignmentRepository extends AssignmentRepository {
  constructor(@InjectRepository(ExperimentUserOrmEntity) private readonly repo: Repository<ExperimentUserOrmEntity>) {
    super();
  }

  async assign(experimentId: number, userId: string): Promise<void> {
    await this.repo.createQueryBuilder().insert().values({ experimentId, userId }).orIgnore().execute();
  }

  async unassign(experimentId: number, userId: string): Promise<boolean> {
    const result = await this.repo.delete({ experimentId, userId });
    return Boolean(result.affected);
  }

  async removeUser(userId: string): Promise<number> {
    return (await this.repo.delete({ userId })).affected ?? 0;
  }

  async list(experimentId: number, page: Page): Promise<PageResult<Assignment>> {
    const [rows, totalCount] = await this.repo.findAndCount({
      where: { experimentId },
      order: { assignedAt: 'ASC', userId: 'ASC' },
      skip: page.offset,
      take: page.limit,
    });
    return {
      items: rows.map(({ experimentId: id, userId, assignedAt }) => ({ experimentId: id, userId, assignedAt })),
      totalCount,
      ...page,
    };
  }

  async loadAll(): Promise<Array<{ experimentId: number; userId: string }>> {
    return (await this.repo.find({ select: { experimentId: true, userId: true } })).map(({ experimentId, userId }) => ({
      experimentId,
      userId,
    }));
  }
}

@Injectable()
export class TypeormPvSetRepository extends PvSetRepository {
  constructor(@InjectRepository(PvSetOrmEntity) private readonly repo: Repository<PvSetOrmEntity>) {
    super();
  }

  /** Joins the running transaction: setPv commits it only once the broker took the value. */
  async record(set: Omit<PvSet, 'id' | 'pvName'>): Promise<PvSet> {
    const manager = transactionalManager(this.repo.manager);
    const saved = await manager.save(manager.create(PvSetOrmEntity, set));
    return { id: saved.id, pvId: saved.pvId, pvName: '', userId: saved.userId, value: saved.value, at: saved.at };
  }

  async list(filter: PvSetFilter, page: Page): Promise<PageResult<PvSet>> {
    if ((filter.experimentIds && !filter.experimentIds.length) || (filter.pvIds && !filter.pvIds.length))
      return { items: [], totalCount: 0, ...page };
    const query = this.repo
      .createQueryBuilder('s')
      .innerJoinAndSelect('s.pv', 'pv')
      .orderBy('s.at', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .skip(page.offset)
      .take(page.limit);
    if (filter.experimentIds) query.andWhere('pv.experimentId IN (:...experimentIds)', filter);
    if (filter.pvIds) query.andWhere('s.pvId IN (:...pvIds)', filter);
    if (filter.userId) query.andWhere('s.userId = :userId', filter);
    if (filter.from) query.andWhere('s.at >= :from', filter);
    if (filter.to) query.andWhere('s.at < :to', filter);
    const [rows, totalCount] = await query.getManyAndCount();
    return {
      items: rows.map((r) => ({
        id: r.id,
        pvId: r.pvId,
        pvName: r.pv!.name,
        userId: r.userId,
        value: r.value,
        at: r.at,
      })),
      totalCount,
      ...page,
    };
  }

  async countOf(pvIds: readonly number[]): Promise<number> {
    return this.repo.createQueryBuilder('s').where('s.pvId IN (:...pvIds)', { pvIds }).getCount();
  }
}

function toExperiment(row: ExperimentOrmEntity): Experiment {
  return { id: row.id, name: row.name, displayName: row.displayName };
}

function toPv(row: PvOrmEntity): Pv {
  return {
    id: row.id,
    name: row.name,
    experimentId: row.experimentId,
    displayName: row.displayName,
    unit: row.unit,
    writable: row.writable,
    type: row.type as PvType,
    thresholdMin: row.thresholdMin,
    thresholdMax: row.thresholdMax,
    setMin: row.setMin,
    setMax: row.setMax,
  };
}
