import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { transactionalManager } from '../../shared/database/transactions.adapter.js';
import { translateUniqueViolation } from '../../shared/database/unique-violation.js';
import type { PageResult } from '../../shared/graphql/pagination.js';
import type { LeakCandidate, LeakCandidateFields } from '../domain/leak-candidates.js';
import type { PlumeParameters } from '../domain/plume-model.js';
import type { SeaCurrentRow } from '../domain/sea-currents.js';
import {
  LeakCandidateRepository,
  PlumeParametersRepository,
  SeaCurrentRepository,
  type TemplateScope,
} from '../application/leak-simulation-inputs.ports.js';
import {
  LeakCandidateOrmEntity,
  LeakPlumeParametersOrmEntity,
  LeakSeaCurrentOrmEntity,
} from './leak-simulation.orm-entities.js';

type Page = { offset: number; limit: number };

const CANDIDATE_NAME = {
  UQ_leak_candidates_template_name: { field: 'name', message: 'A candidate leak of this template has this name' },
};

/** Rows per INSERT: 4 parameters each, well under PostgreSQL's 65,535. */
const CURRENT_ROWS_PER_STATEMENT = 2_000;

@Injectable()
export class TypeormLeakCandidateRepository extends LeakCandidateRepository {
  constructor(@InjectRepository(LeakCandidateOrmEntity) private readonly repo: Repository<LeakCandidateOrmEntity>) {
    super();
  }

  async list(templateId: number, page: Page): Promise<PageResult<LeakCandidate>> {
    const [rows, totalCount] = await this.repo.findAndCount({
      where: { templateId },
      order: { name: 'ASC', id: 'ASC' },
      skip: page.offset,
      take: page.limit,
    });
    return { items: rows.map(toCandidate), totalCount, ...page };
  }

  async all(templateId: number): Promise<LeakCandidate[]> {
    return (await this.repo.find({ where: { templateId }, order: { name: 'ASC', id: 'ASC' } })).map(toCandidate);
  }

  async find(id: number): Promise<LeakCandidate | null> {
    const row = await this.repo.findOneBy({ id });
    return row && toCandidate(row);
  }

  async create(templateId: number, fields: LeakCandidateFields): Promise<LeakCandidate> {
    return toCandidate(
      await translateUniqueViolation(this.repo.save(this.repo.create({ ...fields, templateId })), CANDIDATE_NAME),
    );
  }

  async update(id: number, changes: Partial<LeakCandidateFields>): Promise<LeakCandidate> {
    const row = await this.repo.findOneByOrFail({ id });
    return toCandidate(await translateUniqueViolation(this.repo.save({ ...row, ...changes }), CANDIDATE_NAME));
  }

  async delete(id: number): Promise<void> {
    await this.repo.delete({ id });
  }

  async count(scope: TemplateScope): Promise<number> {
    return countInScope(this.repo, 'leak_candidates', scope);
  }
}

@Injectable()
export class TypeormSeaCurrentRepository extends SeaCurrentRepository {
  constructor(@InjectRepository(LeakSeaCurrentOrmEntity) private readonly repo: Repository<LeakSeaCurrentOrmEntity>) {
    super();
  }

  async store(templateId: number, rows: readonly SeaCurrentRow[]): Promise<{ replaced: number }> {
    return this.repo.manager.transaction(async (manager) => {
      let replaced = 0;
      for (let start = 0; start < rows.length; start += CURRENT_ROWS_PER_STATEMENT) {
        const chunk = rows.slice(start, start + CURRENT_ROWS_PER_STATEMENT);
        const values = chunk.map((_, k) => `($1, $${3 * k + 2}, $${3 * k + 3}, $${3 * k + 4})`).join(', ');
        const result = await manager.query<{ inserted: boolean }[]>(
          `INSERT INTO "leak_sea_currents" ("template_id", "at", "u", "v") VALUES ${values}
           ON CONFLICT ("template_id", "at") DO UPDATE SET "u" = EXCLUDED."u", "v" = EXCLUDED."v"
           RETURNING (xmax = 0) AS inserted`,
          [templateId, ...chunk.flatMap((row) => [row.at, row.u, row.v])],
        );
        replaced += result.filter((r) => !r.inserted).length;
      }
      return { replaced };
    });
  }

  async list(templateId: number, window: { from: Date; to: Date }, page: Page): Promise<PageResult<SeaCurrentRow>> {
    const query = this.repo
      .createQueryBuilder('c')
      .where('c.templateId = :templateId AND c.at >= :from AND c.at < :to', { templateId, ...window })
      .orderBy('c.at', 'ASC')
      .skip(page.offset)
      .take(page.limit);
    const [rows, totalCount] = await query.getManyAndCount();
    return { items: rows.map(toCurrent), totalCount, ...page };
  }

  async latest(templateId: number, at: Date, count: number): Promise<SeaCurrentRow[]> {
    const rows = await this.repo
      .createQueryBuilder('c')
      .where('c.templateId = :templateId AND c.at <= :at', { templateId, at })
      .orderBy('c.at', 'DESC')
      .take(count)
      .getMany();
    return rows.reverse().map(toCurrent);
  }

  async count(scope: TemplateScope): Promise<number> {
    return countInScope(this.repo, 'leak_sea_currents', scope);
  }
}

@Injectable()
export class TypeormPlumeParametersRepository extends PlumeParametersRepository {
  constructor(
    @InjectRepository(LeakPlumeParametersOrmEntity) private readonly repo: Repository<LeakPlumeParametersOrmEntity>,
  ) {
    super();
  }

  async get(): Promise<PlumeParameters> {
    return toParameters(await this.repo.findOneByOrFail({ id: 1 }));
  }

  async update(changes: Partial<PlumeParameters>): Promise<PlumeParameters> {
    await this.repo.update({ id: 1 }, { ...changes, updatedAt: new Date() });
    return this.get();
  }
}

/** Rows of a template, or of all templates of a field; inside a running transaction when there is one. */
async function countInScope(
  repo: Repository<LeakCandidateOrmEntity> | Repository<LeakSeaCurrentOrmEntity>,
  table: string,
  scope: TemplateScope,
): Promise<number> {
  const manager = transactionalManager(repo.manager);
  const [row] =
    'templateId' in scope
      ? await manager.query<{ n: string }[]>(`SELECT count(*) AS n FROM "${table}" WHERE "template_id" = $1`, [
          scope.templateId,
        ])
      : await manager.query<{ n: string }[]>(
          `SELECT count(*) AS n FROM "${table}" r JOIN "leak_templates" t ON t."id" = r."template_id" WHERE t."field_id" = $1`,
          [scope.fieldId],
        );
  return Number(row.n);
}

function toCandidate(row: LeakCandidateOrmEntity): LeakCandidate {
  return {
    id: row.id,
    templateId: row.templateId,
    name: row.name,
    x: row.x,
    y: row.y,
    z: row.z,
    rate: row.rate,
    duration: row.duration,
  };
}

function toCurrent(row: LeakSeaCurrentOrmEntity): SeaCurrentRow {
  return { at: row.at, u: row.u, v: row.v };
}

function toParameters(row: LeakPlumeParametersOrmEntity): PlumeParameters {
  return {
    a: row.a,
    p: row.p,
    q: row.q,
    kappa: row.kappa,
    alpha: row.alpha,
    referenceSpeed: row.referenceSpeed,
    referenceTime: row.referenceTime,
    depth: row.depth,
    detectionLimit: row.detectionLimit,
    seawaterTemperature: row.seawaterTemperature,
  };
}
