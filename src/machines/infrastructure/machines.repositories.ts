import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, In, type EntityManager, type Repository } from 'typeorm';
import { escapeLike } from '../../shared/database/escape-like.js';
import { prepared, runPrepared } from '../../shared/database/prepared-statement.js';
import { RELAXED_COMMIT } from '../../shared/database/relaxed-commit.js';
import { transactionalManager } from '../../shared/database/transactions.adapter.js';
import { translateUniqueViolation } from '../../shared/database/unique-violation.js';
import type { PageResult } from '../../shared/graphql/pagination.js';
import type { ElementType, ElementTypeFields } from '../domain/element-type.js';
import {
  AXIS_NAMES,
  type Axis,
  type AxisFields,
  type AxisName,
  type Machine,
  type MachineFields,
  type MachineProfile,
  type MachineSummary,
  type MachineType,
  type MachineTypeFields,
  type Tool,
  type ToolFields,
} from '../domain/machine.js';
import { MachineRefSource } from '../application/machine-directory.js';
import {
  ElementTypeRepository,
  MachinePartRepository,
  MachineRepository,
  MachineTypeRepository,
  type MachineFilter,
} from '../application/machines.ports.js';
import type { SeenAt } from '../application/last-seen-writer.js';
import {
  AxisOrmEntity,
  ElementTypeOrmEntity,
  MachineOrmEntity,
  MachineTypeOrmEntity,
  ToolOrmEntity,
} from './machine.orm-entities.js';

const MACHINE_CONSTRAINTS = {
  UQ_machines_code: { field: 'code', message: 'A machine with this code already exists' },
  UQ_machine_axes_machine_name: { field: 'name', message: 'The machine already has this axis' },
  UQ_machine_tools_machine_number: { field: 'number', message: 'The machine already has a tool with this number' },
};
const MACHINE_TYPE_CONSTRAINTS = {
  UQ_machine_types_name: { field: 'name', message: 'A machine type with this name already exists' },
};
const ELEMENT_TYPE_CONSTRAINTS = {
  UQ_element_types_name: { field: 'name', message: 'An element type with this name already exists' },
};

// Part of every RFID stop's transaction: prepared, so that PostgreSQL plans it once per connection.
const ADD_USAGE_SECONDS = prepared(
  'machines.add-usage-seconds',
  'UPDATE machines SET usage_seconds = GREATEST(usage_seconds + $2, 0) WHERE id = $1',
);

@Injectable()
export class TypeormMachineRepository extends MachineRepository {
  constructor(@InjectRepository(MachineOrmEntity) private readonly repo: Repository<MachineOrmEntity>) {
    super();
  }

  async findByCode(code: string): Promise<Machine | null> {
    const row = await this.repo.findOneBy({ code });
    return row && (await withParts(this.repo.manager, [row]))[0];
  }

  async summaries(ids?: readonly number[]): Promise<MachineSummary[]> {
    const query = this.repo
      .createQueryBuilder('machine')
      .leftJoinAndSelect('machine.machineType', 'machineType')
      .orderBy('machine.code', 'ASC');
    if (ids) query.where('machine.id = ANY(:ids)', { ids });
    const rows = await query.getMany();
    return rows.map(({ machineTypeId: _typeId, ...summary }) => summary);
  }

  async list(filter: MachineFilter, page: { offset: number; limit: number }): Promise<PageResult<Machine>> {
    const query = this.repo
      .createQueryBuilder('machine')
      .leftJoinAndSelect('machine.machineType', 'machineType')
      .orderBy('machine.code', 'ASC')
      .skip(page.offset)
      .take(page.limit);
    if (filter.text)
      query.andWhere(
        new Brackets((q) =>
          ['code', 'name', 'model', 'maker'].forEach((column) =>
            q.orWhere(`machine.${column} ILIKE :text`, { text: `%${escapeLike(filter.text!)}%` }),
          ),
        ),
      );
    if (filter.machineTypeId !== undefined)
      query.andWhere('machine.machine_type_id = :typeId', { typeId: filter.machineTypeId });
    if (filter.blocked !== undefined) query.andWhere('machine.blocked = :blocked', { blocked: filter.blocked });
    const [rows, totalCount] = await query.getManyAndCount();
    return { items: await withParts(this.repo.manager, rows), totalCount, ...page };
  }

  create(machine: MachineFields, axes: AxisFields[], tools: ToolFields[]): Promise<Machine> {
    const work = this.repo.manager.transaction(async (manager) => {
      const row = await manager.save(manager.create(MachineOrmEntity, machine));
      if (axes.length)
        await manager.insert(
          AxisOrmEntity,
          axes.map((axis) => ({ ...axis, machineId: row.id })),
        );
      if (tools.length)
        await manager.insert(
          ToolOrmEntity,
          tools.map((tool) => ({ ...tool, machineId: row.id })),
        );
      return row.id;
    });
    return translateUniqueViolation(work, MACHINE_CONSTRAINTS).then((id) => this.requireById(id));
  }

  async update(id: number, changes: Partial<MachineFields>): Promise<Machine> {
    if (Object.keys(changes).length)
      await translateUniqueViolation(this.repo.update({ id }, changes), MACHINE_CONSTRAINTS);
    return this.requireById(id);
  }

  async delete(id: number): Promise<void> {
    await transactionalManager(this.repo.manager).delete(MachineOrmEntity, { id });
  }

  async markSeen(seen: readonly SeenAt[]): Promise<number[]> {
    // Rows locked by a running transaction (an RFID stop adding hours) are skipped, not
    // waited for: the caller writes them next time. A deleted machine is simply not found.
    // Rewritten every second while machines talk: the commit need not wait for the disk.
    const rows: { id: number }[] = await this.repo.query(
      `WITH ${RELAXED_COMMIT},
            seen AS (SELECT s.* FROM relaxed, unnest($1::int[], $2::timestamptz[]) AS s(id, at)),
            free AS (SELECT m.id FROM machines m JOIN seen ON seen.id = m.id
                      ORDER BY m.id FOR NO KEY UPDATE OF m SKIP LOCKED),
            written AS (UPDATE machines m SET last_seen_at = seen.at FROM seen
                         WHERE m.id = seen.id AND m.id IN (SELECT id FROM free)
                           AND (m.last_seen_at IS NULL OR m.last_seen_at < seen.at))
       SELECT m.id FROM machines m JOIN seen ON seen.id = m.id WHERE m.id NOT IN (SELECT id FROM free)`,
      [seen.map((s) => s.machineId), seen.map((s) => s.at)],
    );
    return rows.map((row) => row.id);
  }

  async addUsageSeconds(id: number, seconds: number): Promise<boolean> {
    // Joins the caller's transaction: an RFID use and the hours it adds commit together.
    const { rowCount } = await runPrepared(transactionalManager(this.repo.manager), ADD_USAGE_SECONDS, [id, seconds]);
    return (rowCount ?? 0) > 0;
  }

  private async requireById(id: number): Promise<Machine> {
    const row = await this.repo.findOneByOrFail({ id });
    return (await withParts(this.repo.manager, [row]))[0];
  }
}

@Injectable()
export class TypeormMachinePartRepository extends MachinePartRepository {
  constructor(
    @InjectRepository(AxisOrmEntity) private readonly axes: Repository<AxisOrmEntity>,
    @InjectRepository(ToolOrmEntity) private readonly tools: Repository<ToolOrmEntity>,
  ) {
    super();
  }

  async findAxis(id: number): Promise<Axis | null> {
    const row = await this.axes.findOneBy({ id });
    return row && toAxis(row);
  }

  async createAxis(machineId: number, axis: AxisFields): Promise<Axis> {
    const row = await translateUniqueViolation(
      this.axes.save(this.axes.create({ ...axis, machineId })),
      MACHINE_CONSTRAINTS,
    );
    return toAxis(row);
  }

  async updateAxis(axis: Axis): Promise<Axis> {
    const { id, name, maxVelocity, maxAcceleration } = axis;
    await translateUniqueViolation(
      this.axes.update({ id }, { name, maxVelocity, maxAcceleration }),
      MACHINE_CONSTRAINTS,
    );
    return axis;
  }

  async deleteAxis(id: number): Promise<void> {
    await this.axes.delete({ id });
  }

  async findTool(id: number): Promise<Tool | null> {
    const row = await this.tools.findOneBy({ id });
    return row && toTool(row);
  }

  async createTool(machineId: number, tool: ToolFields): Promise<Tool> {
    const row = await translateUniqueViolation(
      this.tools.save(this.tools.create({ ...tool, machineId })),
      MACHINE_CONSTRAINTS,
    );
    return toTool(row);
  }

  async updateTool(tool: Tool): Promise<Tool> {
    const { id, number, toolOffset, feedRate } = tool;
    await translateUniqueViolation(this.tools.update({ id }, { number, toolOffset, feedRate }), MACHINE_CONSTRAINTS);
    return tool;
  }

  async deleteTool(id: number): Promise<void> {
    await this.tools.delete({ id });
  }
}

@Injectable()
export class TypeormMachineTypeRepository extends MachineTypeRepository {
  constructor(@InjectRepository(MachineTypeOrmEntity) private readonly repo: Repository<MachineTypeOrmEntity>) {
    super();
  }

  list(): Promise<MachineType[]> {
    return this.repo.find({ order: { name: 'ASC' } });
  }

  findById(id: number): Promise<MachineType | null> {
    return this.repo.findOneBy({ id });
  }

  create(type: MachineTypeFields): Promise<MachineType> {
    return translateUniqueViolation(this.repo.save(this.repo.create(type)), MACHINE_TYPE_CONSTRAINTS);
  }

  save(type: MachineType): Promise<MachineType> {
    return translateUniqueViolation(this.repo.save(type as MachineTypeOrmEntity), MACHINE_TYPE_CONSTRAINTS);
  }

  deleteUnused(id: number): Promise<number> {
    return this.repo.manager.transaction(async (manager) => {
      // Locking the type first waits for machines being given it (their foreign key check
      // shares the row), so that none is counted out and then silently untyped by the delete.
      await manager.query('SELECT id FROM machine_types WHERE id = $1 FOR UPDATE', [id]);
      const users = await manager.countBy(MachineOrmEntity, { machineTypeId: id });
      if (!users) await manager.delete(MachineTypeOrmEntity, { id });
      return users;
    });
  }
}

@Injectable()
export class TypeormElementTypeRepository extends ElementTypeRepository {
  constructor(@InjectRepository(ElementTypeOrmEntity) private readonly repo: Repository<ElementTypeOrmEntity>) {
    super();
  }

  list(includeInactive: boolean): Promise<ElementType[]> {
    return this.repo.find({ where: includeInactive ? {} : { active: true }, order: { name: 'ASC' } });
  }

  findById(id: number): Promise<ElementType | null> {
    return this.repo.findOneBy({ id });
  }

  create(type: ElementTypeFields): Promise<ElementType> {
    return translateUniqueViolation(this.repo.save(this.repo.create(type)), ELEMENT_TYPE_CONSTRAINTS);
  }

  save(type: ElementType): Promise<ElementType> {
    return translateUniqueViolation(this.repo.save(type as ElementTypeOrmEntity), ELEMENT_TYPE_CONSTRAINTS);
  }
}

/** Every machine with the names of its axes and its type: one query, at start and after each registry change. */
@Injectable()
export class TypeormMachineRefSource extends MachineRefSource {
  constructor(@InjectRepository(MachineOrmEntity) private readonly repo: Repository<MachineOrmEntity>) {
    super();
  }

  async loadAll(): Promise<MachineProfile[]> {
    const rows: (Omit<MachineProfile, 'axes' | 'machineType'> & { axes: AxisName[]; type: MachineType | null })[] =
      await this.repo.query(
        `SELECT m.id, m.code, m.name, m.blocked,
                CASE WHEN t.id IS NULL THEN NULL ELSE json_build_object(
                  'id', t.id, 'name', t.name, 'autoLogoffMinutes', t.auto_logoff_minutes,
                  'graceMinutes', t.grace_minutes, 'needsAuthorization', t.needs_authorization,
                  'createdAt', t.created_at) END AS type,
                coalesce(array_agg(a.name ORDER BY a.name) FILTER (WHERE a.name IS NOT NULL), '{}') AS axes
           FROM machines m
           LEFT JOIN machine_types t ON t.id = m.machine_type_id
           LEFT JOIN machine_axes a ON a.machine_id = m.id
          GROUP BY m.id, t.id`,
      );
    return rows.map(({ type, axes, ...row }) => ({
      ...row,
      axes: new Set(axes),
      machineType: type && { ...type, createdAt: new Date(type.createdAt) },
    }));
  }
}

/** Loads the axes and tools of a page of machines in two queries. */
async function withParts(manager: EntityManager, rows: MachineOrmEntity[]): Promise<Machine[]> {
  const ids = rows.map((row) => row.id);
  const [axes, tools] = ids.length
    ? await Promise.all([
        manager.find(AxisOrmEntity, { where: { machineId: In(ids) } }),
        manager.find(ToolOrmEntity, { where: { machineId: In(ids) }, order: { number: 'ASC' } }),
      ])
    : [[], []];
  return rows.map(({ machineTypeId: _typeId, ...row }) => ({
    ...row,
    axes: axes
      .filter((a) => a.machineId === row.id)
      .map(toAxis)
      .sort((a, b) => AXIS_NAMES.indexOf(a.name) - AXIS_NAMES.indexOf(b.name)),
    tools: tools.filter((t) => t.machineId === row.id).map(toTool),
  }));
}

function toAxis({ id, machineId, name, maxVelocity, maxAcceleration }: AxisOrmEntity): Axis {
  return { id, machineId, name: name as AxisName, maxVelocity, maxAcceleration };
}

function toTool({ id, machineId, number, toolOffset, feedRate }: ToolOrmEntity): Tool {
  return { id, machineId, number, toolOffset, feedRate };
}
