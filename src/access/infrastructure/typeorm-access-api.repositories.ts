import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type EntityManager, type Repository } from 'typeorm';
import { transactionalManager } from '../../shared/database/typeorm-transactions.js';
import { translateUniqueViolation } from '../../shared/database/unique-violation.js';
import { NotFoundError } from '../../shared/errors/domain-errors.js';
import type { PageResult } from '../../shared/graphql/pagination.js';
import {
  AccessRecordsRepository,
  AuthorizationAdminRepository,
  BoardListRepository,
  MaintenanceAdminRepository,
  UnknownCardAdminRepository,
  UseAdminRepository,
  type AuthorizationFilter,
  type InterventionChanges,
  type InterventionFilter,
  type PlanFields,
  type UnknownCardSummary,
  type UsageGrouping,
  type UsageTotal,
  type UseChanges,
  type UseFilter,
} from '../application/access-api.ports.js';
import type { Authorization, Board, UnknownCardAttempt } from '../domain/board.js';
import type { Intervention, MaintenancePlan, PlanProgress } from '../domain/maintenance.js';
import type { UsageWindow } from '../domain/usage-report.js';
import type { NewUse, Use } from '../domain/use.js';
import {
  AuthorizationOrmEntity,
  BoardOrmEntity,
  InterventionOrmEntity,
  MaintenancePlanOrmEntity,
  UnknownCardOrmEntity,
  UseOrmEntity,
} from './access.orm-entities.js';
import { interventionOf, planProgress, useOf } from './typeorm-access.repositories.js';

type Page = { offset: number; limit: number };

@Injectable()
export class TypeormAuthorizationAdminRepository extends AuthorizationAdminRepository {
  constructor(@InjectRepository(AuthorizationOrmEntity) private readonly repo: Repository<AuthorizationOrmEntity>) {
    super();
  }

  async list(filter: AuthorizationFilter, page: Page): Promise<PageResult<Authorization>> {
    const [items, totalCount] = await this.repo.findAndCount({
      where: defined({ userId: filter.userId, machineId: filter.machineId }),
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: page.offset,
      take: page.limit,
    });
    return { items: items.map(authorizationOf), totalCount, ...page };
  }

  async findById(id: number): Promise<Authorization | null> {
    const row = await this.repo.findOneBy({ id });
    return row && authorizationOf(row);
  }

  async create(userId: string, machineId: number): Promise<Authorization> {
    const saved = await translateUniqueViolation(this.repo.save(this.repo.create({ userId, machineId })), {
      UQ_access_authorizations_user_machine: {
        field: 'userId',
        message: 'The user is already authorised on this machine',
      },
    });
    return authorizationOf(saved);
  }

  async addMissing(machineId: number, userIds: readonly string[]): Promise<Authorization[]> {
    if (!userIds.length) return [];
    const rows: { id: number; user_id: string; machine_id: number; created_at: Date }[] = await this.repo.query(
      `INSERT INTO access_authorizations (user_id, machine_id)
       SELECT u, $1 FROM unnest($2::uuid[]) u
       ON CONFLICT (user_id, machine_id) DO NOTHING
       RETURNING id, user_id, machine_id, created_at`,
      [machineId, userIds],
    );
    return rows.map((r) => ({ id: r.id, userId: r.user_id, machineId: r.machine_id, createdAt: r.created_at }));
  }

  async delete(id: number): Promise<void> {
    await this.repo.delete({ id });
  }

  countOfMachine(machineId: number): Promise<number> {
    return this.repo.countBy({ machineId });
  }

  async deleteOfMachine(machineId: number): Promise<void> {
    await this.repo.delete({ machineId });
  }
}

@Injectable()
export class TypeormUseAdminRepository extends UseAdminRepository {
  constructor(@InjectRepository(UseOrmEntity) private readonly repo: Repository<UseOrmEntity>) {
    super();
  }

  private get manager(): EntityManager {
    return transactionalManager(this.repo.manager);
  }

  async list(filter: UseFilter, page: Page): Promise<PageResult<Use>> {
    const query = this.manager
      .getRepository(UseOrmEntity)
      .createQueryBuilder('use')
      .orderBy('use.startedAt', 'DESC')
      .addOrderBy('use.id', 'DESC')
      .skip(page.offset)
      .take(page.limit);
    if (filter.machineId !== undefined) query.andWhere('use.machine_id = :machineId', { machineId: filter.machineId });
    if (filter.userId !== undefined) query.andWhere('use.user_id = :userId', { userId: filter.userId });
    if (filter.from) query.andWhere('(use.ended_at IS NULL OR use.ended_at > :from)', { from: filter.from });
    if (filter.to) query.andWhere('use.started_at < :to', { to: filter.to });
    if (filter.openOnly) query.andWhere('use.ended_at IS NULL');
    const [rows, totalCount] = await query.getManyAndCount();
    return { items: rows.map(useOf), totalCount, ...page };
  }

  async findById(id: string): Promise<Use | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    const row = await this.manager.getRepository(UseOrmEntity).findOneBy({ id });
    return row && useOf(row);
  }

  async insert(use: NewUse): Promise<Use> {
    const repo = this.manager.getRepository(UseOrmEntity);
    const saved = await translateUniqueViolation(repo.save(repo.create(use)), OPEN_USE_CONSTRAINT);
    return useOf(saved);
  }

  async update(id: string, changes: UseChanges): Promise<Use> {
    const repo = this.manager.getRepository(UseOrmEntity);
    await translateUniqueViolation(repo.update({ id }, defined(changes)), OPEN_USE_CONSTRAINT);
    const row = await repo.findOneBy({ id });
    if (!row) throw new NotFoundError('Use', id);
    return useOf(row);
  }

  async delete(id: string): Promise<void> {
    await this.manager.getRepository(UseOrmEntity).delete({ id });
  }

  async openUses(): Promise<Use[]> {
    const rows = await this.repo.findBy({ endedAt: IsNull() });
    return rows.map(useOf);
  }

  async openUseOf(machineId: number): Promise<Use | null> {
    const row = await this.repo
      .createQueryBuilder('use')
      .where('use.machine_id = :machineId AND use.ended_at IS NULL', { machineId })
      .getOne();
    return row && useOf(row);
  }

  countOfMachine(machineId: number): Promise<number> {
    return this.repo.countBy({ machineId });
  }

  async deleteOfMachine(machineId: number): Promise<void> {
    await this.repo.delete({ machineId });
  }
}

const OPEN_USE_CONSTRAINT = {
  UQ_access_uses_open_per_machine: { field: 'machineCode', message: 'The machine already has an open use' },
};

@Injectable()
export class TypeormMaintenanceAdminRepository extends MaintenanceAdminRepository {
  constructor(
    @InjectRepository(MaintenancePlanOrmEntity) private readonly plans: Repository<MaintenancePlanOrmEntity>,
    @InjectRepository(InterventionOrmEntity) private readonly interventions: Repository<InterventionOrmEntity>,
  ) {
    super();
  }

  progressOfPlans(machineId?: number): Promise<PlanProgress[]> {
    return planProgress(this.plans.manager, machineId);
  }

  async findPlan(id: number): Promise<MaintenancePlan | null> {
    const row = await this.plans.findOneBy({ id });
    return row && planFromEntity(row);
  }

  async createPlan(machineId: number, fields: PlanFields): Promise<MaintenancePlan> {
    return planFromEntity(await this.plans.save(this.plans.create({ machineId, ...fields })));
  }

  async updatePlan(id: number, fields: Partial<PlanFields>): Promise<MaintenancePlan> {
    const changes = defined(fields);
    if (Object.keys(changes).length) await this.plans.update({ id }, changes);
    const row = await this.plans.findOneBy({ id });
    if (!row) throw new NotFoundError('Maintenance plan', id);
    return planFromEntity(row);
  }

  async deletePlan(id: number): Promise<void> {
    await this.plans.delete({ id });
  }

  async listInterventions(filter: InterventionFilter, page: Page): Promise<PageResult<Intervention>> {
    const [rows, totalCount] = await this.interventions.findAndCount({
      where: defined({ machineId: filter.machineId, planId: filter.planId, userId: filter.userId }),
      order: { performedAt: 'DESC', id: 'DESC' },
      skip: page.offset,
      take: page.limit,
    });
    return { items: rows.map(interventionOf), totalCount, ...page };
  }

  async findIntervention(id: string): Promise<Intervention | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    const row = await this.interventions.findOneBy({ id });
    return row && interventionOf(row);
  }

  async updateIntervention(id: string, changes: InterventionChanges): Promise<Intervention> {
    const set = defined(changes);
    if (Object.keys(set).length) await this.interventions.update({ id }, set);
    const row = await this.interventions.findOneBy({ id });
    if (!row) throw new NotFoundError('Intervention', id);
    return interventionOf(row);
  }

  async deleteIntervention(id: string): Promise<void> {
    await this.interventions.delete({ id });
  }

  countOfMachine(machineId: number): Promise<number> {
    return this.plans.countBy({ machineId });
  }

  countInterventionsOfMachine(machineId: number): Promise<number> {
    return this.interventions.countBy({ machineId });
  }

  async deleteOfMachine(machineId: number): Promise<void> {
    await this.plans.delete({ machineId });
  }

  async deleteInterventionsOfMachine(machineId: number): Promise<void> {
    await this.interventions.delete({ machineId });
  }
}

@Injectable()
export class TypeormUnknownCardAdminRepository extends UnknownCardAdminRepository {
  constructor(@InjectRepository(UnknownCardOrmEntity) private readonly repo: Repository<UnknownCardOrmEntity>) {
    super();
  }

  async list(filter: { machineId?: number }, page: Page): Promise<PageResult<UnknownCardAttempt>> {
    const [rows, totalCount] = await this.repo.findAndCount({
      where: defined({ machineId: filter.machineId }),
      order: { attemptedAt: 'DESC', id: 'DESC' },
      skip: page.offset,
      take: page.limit,
    });
    return { items: rows.map(attemptOf), totalCount, ...page };
  }

  async deleteCard(cardUid: string): Promise<number> {
    return (await this.repo.delete({ cardUid })).affected ?? 0;
  }

  async summary(window: UsageWindow): Promise<UnknownCardSummary[]> {
    const rows: { card_uid: string; machine_ids: number[]; attempts: string; last_attempt_at: Date }[] =
      await this.repo.query(
        `SELECT card_uid, array_agg(DISTINCT machine_id ORDER BY machine_id) AS machine_ids,
                count(*) AS attempts, max(attempted_at) AS last_attempt_at
           FROM access_unknown_cards
          WHERE attempted_at >= $1 AND attempted_at < $2
          GROUP BY card_uid
          ORDER BY count(*) DESC, card_uid`,
        [window.from, window.to],
      );
    return rows.map((r) => ({
      cardUid: r.card_uid,
      machineIds: r.machine_ids.map(Number),
      attempts: Number(r.attempts),
      lastAttemptAt: r.last_attempt_at,
    }));
  }

  async deleteBefore(cutoff: Date): Promise<number> {
    // UPDATE and DELETE answer [rows, count].
    const [, count]: [unknown[], number] = await transactionalManager(this.repo.manager).query(
      'DELETE FROM access_unknown_cards WHERE attempted_at < $1',
      [cutoff],
    );
    return count;
  }

  countOfMachine(machineId: number): Promise<number> {
    return this.repo.countBy({ machineId });
  }

  async deleteOfMachine(machineId: number): Promise<void> {
    await this.repo.delete({ machineId });
  }
}

@Injectable()
export class TypeormBoardListRepository extends BoardListRepository {
  constructor(@InjectRepository(BoardOrmEntity) private readonly repo: Repository<BoardOrmEntity>) {
    super();
  }

  async list(): Promise<Board[]> {
    const rows = await this.repo.find({ order: { machineId: 'ASC' } });
    return rows.map(({ machine: _machine, ...board }) => board);
  }

  countOfMachine(machineId: number): Promise<number> {
    return this.repo.countBy({ machineId });
  }

  async deleteOfMachine(machineId: number): Promise<void> {
    await this.repo.delete({ machineId });
  }
}

@Injectable()
export class TypeormAccessRecordsRepository extends AccessRecordsRepository {
  constructor(@InjectRepository(UseOrmEntity) private readonly uses: Repository<UseOrmEntity>) {
    super();
  }

  async usage(window: UsageWindow, groupBy: UsageGrouping): Promise<UsageTotal[]> {
    const key = groupBy === 'MACHINE' ? 'machine_id' : 'user_id';
    const rows: { key: number | string | null; seconds: string | number; uses: string }[] = await this.uses.query(
      `SELECT ${key} AS key, count(*) AS uses,
              SUM(EXTRACT(EPOCH FROM (LEAST(ended_at, $2) - GREATEST(started_at, $1)))) AS seconds
         FROM access_uses
        WHERE ended_at IS NOT NULL AND ended_at > $1 AND started_at < $2
        GROUP BY ${key}
        ORDER BY seconds DESC, ${key}`,
      [window.from, window.to],
    );
    return rows.map((r) => ({ key: r.key, seconds: Number(r.seconds), uses: Number(r.uses) }));
  }

  async anonymizeUsesBefore(cutoff: Date): Promise<number> {
    const [, count]: [unknown[], number] = await transactionalManager(this.uses.manager).query(
      `UPDATE access_uses SET user_id = NULL, anonymized = true
        WHERE ended_at IS NOT NULL AND ended_at < $1 AND NOT anonymized`,
      [cutoff],
    );
    return count;
  }

  async anonymizeInterventionsBefore(cutoff: Date): Promise<number> {
    const [, count]: [unknown[], number] = await transactionalManager(this.uses.manager).query(
      `UPDATE access_interventions SET user_id = NULL, anonymized = true
        WHERE performed_at < $1 AND NOT anonymized`,
      [cutoff],
    );
    return count;
  }
}

/** TypeORM refuses undefined in a where object; an absent filter is no condition. */
function defined<T extends object>(where: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(where).filter(([, v]) => v !== undefined)) as never;
}

function authorizationOf(row: AuthorizationOrmEntity): Authorization {
  return { id: row.id, userId: row.userId, machineId: row.machineId, createdAt: row.createdAt };
}

function planFromEntity(row: MaintenancePlanOrmEntity): MaintenancePlan {
  return {
    id: row.id,
    machineId: row.machineId,
    description: row.description,
    lcdMessage: row.lcdMessage,
    hoursBetween: Number(row.hoursBetween),
    instructionsUrl: row.instructionsUrl,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function attemptOf(row: UnknownCardOrmEntity): UnknownCardAttempt {
  return { id: String(row.id), cardUid: row.cardUid, machineId: row.machineId, attemptedAt: row.attemptedAt };
}
