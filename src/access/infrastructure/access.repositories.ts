import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { prepared, runPrepared } from '../../shared/database/prepared-statement.js';
import { RELAXED_COMMIT } from '../../shared/database/relaxed-commit.js';
import { transactionalManager } from '../../shared/database/transactions.adapter.js';
import { translateUniqueViolation } from '../../shared/database/unique-violation.js';
import { NotFoundError } from '../../shared/errors/domain-errors.js';
import type { PageResult } from '../../shared/graphql/pagination.js';
import {
  AuthorizationRepository,
  BoardRepository,
  MaintenanceRepository,
  UnknownCardRepository,
  UseRepository,
  type AuthorizationFilter,
  type InterventionChanges,
  type InterventionFilter,
  type NewIntervention,
  type OpenAndLatestUse,
  type OrphanedUse,
  type PlanFields,
  type UnknownCardSummary,
  type UsageGrouping,
  type UsageTotal,
  type UseChanges,
  type UseFilter,
} from '../application/access.ports.js';
import type { Authorization, Board, UnknownCardAttempt } from '../domain/board.js';
import type { Intervention, InterventionOrigin, MaintenancePlan, PlanProgress } from '../domain/maintenance.js';
import type { UsageWindow } from '../domain/usage-report.js';
import type { NewUse, Use, UseCloseReason, UseClosing, UseOrigin } from '../domain/use.js';
import {
  AuthorizationOrmEntity,
  BoardOrmEntity,
  InterventionOrmEntity,
  MaintenancePlanOrmEntity,
  UnknownCardOrmEntity,
  UseOrmEntity,
} from './access.orm-entities.js';

type Page = { offset: number; limit: number };

// The statements of a board's requests are prepared: PostgreSQL plans them once per connection.
const AUTHORIZED_AMONG = prepared(
  'access.authorized-among',
  'SELECT user_id FROM access_authorizations WHERE machine_id = $1 AND user_id = ANY($2::uuid[])',
);
// One user's (a board's checkuser): a plain parameter lets PostgreSQL keep one generic plan.
const AUTHORIZED = prepared(
  'access.authorized',
  'SELECT user_id FROM access_authorizations WHERE machine_id = $1 AND user_id = $2::uuid',
);

@Injectable()
export class TypeormAuthorizationRepository extends AuthorizationRepository {
  private readonly joined: Joined<AuthorizationOrmEntity>;

  constructor(@InjectRepository(AuthorizationOrmEntity) repo: Repository<AuthorizationOrmEntity>) {
    super();
    this.joined = new Joined(repo);
  }

  async list(filter: AuthorizationFilter, page: Page): Promise<PageResult<Authorization>> {
    const [items, totalCount] = await this.joined.table.findAndCount({
      where: defined({ userId: filter.userId, machineId: filter.machineId }),
      order: { createdAt: 'DESC', id: 'DESC' },
      skip: page.offset,
      take: page.limit,
    });
    return { items: items.map(authorizationOf), totalCount, ...page };
  }

  async findById(id: number): Promise<Authorization | null> {
    const row = await this.joined.table.findOneBy({ id });
    return row && authorizationOf(row);
  }

  async create(userId: string, machineId: number): Promise<Authorization> {
    const table = this.joined.table;
    const saved = await translateUniqueViolation(table.save(table.create({ userId, machineId })), {
      UQ_access_authorizations_user_machine: {
        field: 'userId',
        message: 'The user is already authorised on this machine',
      },
    });
    return authorizationOf(saved);
  }

  async addMissing(machineId: number, userIds: readonly string[]): Promise<Authorization[]> {
    if (!userIds.length) return [];
    const rows: { id: number; user_id: string; machine_id: number; created_at: Date }[] =
      await this.joined.manager.query(
        `INSERT INTO access_authorizations (user_id, machine_id)
         SELECT u, $1 FROM unnest($2::uuid[]) u
         ON CONFLICT (user_id, machine_id) DO NOTHING
         RETURNING id, user_id, machine_id, created_at`,
        [machineId, userIds],
      );
    return rows.map((r) => ({ id: r.id, userId: r.user_id, machineId: r.machine_id, createdAt: r.created_at }));
  }

  async delete(id: number): Promise<void> {
    await this.joined.table.delete({ id });
  }

  async authorizedAmong(machineId: number, userIds: readonly string[]): Promise<Set<string>> {
    if (!userIds.length) return new Set();
    const [statement, users] = userIds.length === 1 ? [AUTHORIZED, userIds[0]] : [AUTHORIZED_AMONG, userIds];
    const { rows } = await runPrepared<{ user_id: string }>(this.joined.manager, statement, [machineId, users]);
    return new Set(rows.map((row) => row.user_id));
  }

  countOfMachine(machineId: number): Promise<number> {
    return this.joined.table.countBy({ machineId });
  }

  async deleteOfMachine(machineId: number): Promise<void> {
    await this.joined.table.delete({ machineId });
  }
}

/** First key of the per-machine advisory lock of use changes ('ACCS'); the second is the machine id. */
const USE_LOCK_KEY = 0x41434353;

const LOCK_MACHINE = prepared('access.lock-machine', 'SELECT pg_advisory_xact_lock($1, $2)');
// One round trip: the open use (partial unique index) and the latest started one.
const OPEN_AND_LATEST_USE = prepared(
  'access.open-and-latest-use',
  `(SELECT *, true AS open FROM access_uses WHERE machine_id = $1 AND ended_at IS NULL)
   UNION ALL
   (SELECT *, false AS open FROM access_uses WHERE machine_id = $1 ORDER BY started_at DESC, id DESC LIMIT 1)`,
);
const OPEN_USES_OF = prepared(
  'access.open-uses-of',
  'SELECT * FROM access_uses WHERE ended_at IS NULL AND machine_id = ANY($1::int[])',
);
const INSERT_USE = prepared(
  'access.insert-use',
  `INSERT INTO access_uses (machine_id, user_id, started_at, last_seen_at, ended_at, counted_seconds,
                            reported_duration_seconds, replay, origin, close_reason)
   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
);
const CLOSE_USE = prepared(
  'access.close-use',
  `UPDATE access_uses SET ended_at = $2, counted_seconds = $3, close_reason = $4,
          reported_duration_seconds = $5, last_seen_at = $6
    WHERE id = $1 AND (ended_at IS NULL) <> $7`,
);
const REFRESH_USE = prepared(
  'access.refresh-use',
  'UPDATE access_uses SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2',
);
// A heartbeat: the next one comes within the refresh period, so its commit need not wait for the disk.
const REFRESH_OPEN_USE = prepared(
  'access.refresh-open-use',
  `WITH ${RELAXED_COMMIT}
   UPDATE access_uses SET last_seen_at = GREATEST(last_seen_at, $2) FROM relaxed
    WHERE machine_id = $1 AND ended_at IS NULL`,
);

const OPEN_USE_CONSTRAINT = {
  UQ_access_uses_open_per_machine: { field: 'machineCode', message: 'The machine already has an open use' },
};

@Injectable()
export class TypeormUseRepository extends UseRepository {
  private readonly joined: Joined<UseOrmEntity>;

  constructor(@InjectRepository(UseOrmEntity) repo: Repository<UseOrmEntity>) {
    super();
    this.joined = new Joined(repo);
  }

  async lockMachine(machineId: number): Promise<void> {
    await runPrepared(this.joined.manager, LOCK_MACHINE, [USE_LOCK_KEY, machineId]);
  }

  async openAndLatest(machineId: number): Promise<OpenAndLatestUse> {
    const { rows } = await runPrepared<UseRow & { open: boolean }>(this.joined.manager, OPEN_AND_LATEST_USE, [
      machineId,
    ]);
    const open = rows.find((row) => row.open);
    const latest = rows.find((row) => !row.open);
    return { open: open ? useOfRow(open) : null, latest: latest ? useOfRow(latest) : null };
  }

  async openUses(machineIds?: readonly number[]): Promise<Use[]> {
    const rows: UseRow[] = machineIds
      ? (await runPrepared<UseRow>(this.joined.manager, OPEN_USES_OF, [machineIds])).rows
      : await this.joined.manager.query('SELECT * FROM access_uses WHERE ended_at IS NULL');
    return rows.map(useOfRow);
  }

  async findOrphaned(silentSince: Date, limit: number): Promise<OrphanedUse[]> {
    const rows: { id: string; machine_id: number }[] = await this.joined.manager.query(
      `SELECT id, machine_id FROM access_uses WHERE ended_at IS NULL AND last_seen_at < $1
        ORDER BY last_seen_at LIMIT $2`,
      [silentSince, limit],
    );
    return rows.map((row) => ({ id: String(row.id), machineId: row.machine_id }));
  }

  async list(filter: UseFilter, page: Page): Promise<PageResult<Use>> {
    const query = this.joined.table
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
    const row = await this.joined.table.findOneBy({ id });
    return row && useOf(row);
  }

  async insert(use: NewUse): Promise<Use> {
    const insert = runPrepared<UseRow>(this.joined.manager, INSERT_USE, [
      use.machineId,
      use.userId,
      use.startedAt,
      use.lastSeenAt,
      use.endedAt,
      use.countedSeconds,
      use.reportedDurationSeconds,
      use.replay,
      use.origin,
      use.closeReason,
    ]);
    const { rows } = await translateUniqueViolation(insert, OPEN_USE_CONSTRAINT);
    return useOfRow(rows[0]);
  }

  async close(closing: UseClosing, alreadyClosed: boolean): Promise<boolean> {
    const { rowCount } = await runPrepared(this.joined.manager, CLOSE_USE, [
      closing.useId,
      closing.endedAt,
      closing.countedSeconds,
      closing.reason,
      closing.reportedDurationSeconds,
      closing.lastSeenAt,
      alreadyClosed,
    ]);
    return (rowCount ?? 0) > 0;
  }

  async refresh(useId: string, lastSeenAt: Date): Promise<void> {
    await runPrepared(this.joined.manager, REFRESH_USE, [useId, lastSeenAt]);
  }

  async refreshOpen(machineId: number, lastSeenAt: Date): Promise<boolean> {
    const { rowCount } = await runPrepared(this.joined.manager, REFRESH_OPEN_USE, [machineId, lastSeenAt]);
    return (rowCount ?? 0) > 0;
  }

  async update(id: string, changes: UseChanges): Promise<Use> {
    const table = this.joined.table;
    await translateUniqueViolation(table.update({ id }, defined(changes)), OPEN_USE_CONSTRAINT);
    const row = await table.findOneBy({ id });
    if (!row) throw new NotFoundError('Use', id);
    return useOf(row);
  }

  async delete(id: string): Promise<void> {
    await this.joined.table.delete({ id });
  }

  async usage(window: UsageWindow, groupBy: UsageGrouping): Promise<UsageTotal[]> {
    const key = groupBy === 'MACHINE' ? 'machine_id' : 'user_id';
    const rows: { key: number | string | null; seconds: string | number; uses: string }[] =
      await this.joined.manager.query(
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

  async anonymizeBefore(cutoff: Date): Promise<number> {
    // UPDATE and DELETE answer [rows, count].
    const [, count]: [unknown[], number] = await this.joined.manager.query(
      `UPDATE access_uses SET user_id = NULL, anonymized = true
        WHERE ended_at IS NOT NULL AND ended_at < $1 AND NOT anonymized`,
      [cutoff],
    );
    return count;
  }

  countOfMachine(machineId: number): Promise<number> {
    return this.joined.table.countBy({ machineId });
  }

  async deleteOfMachine(machineId: number): Promise<void> {
    await this.joined.table.delete({ machineId });
  }
}

/** The closed uses that started after a plan's last intervention count towards it (reference §2.5). */
function planProgressSql(where: string): string {
  return `SELECT p.*, last.at AS last_intervention_at,
                 COALESCE((SELECT SUM(EXTRACT(EPOCH FROM (u.ended_at - u.started_at)))
                             FROM access_uses u
                            WHERE u.machine_id = p.machine_id AND u.ended_at IS NOT NULL
                              AND (last.at IS NULL OR u.started_at > last.at)), 0) AS used_seconds
            FROM access_maintenance_plans p
            LEFT JOIN LATERAL (SELECT max(i.performed_at) AS at FROM access_interventions i WHERE i.plan_id = p.id) last ON true
           ${where}
           ORDER BY p.machine_id, p.id`;
}

const PLAN_PROGRESS_OF = prepared('access.plan-progress-of', planProgressSql('WHERE p.machine_id = ANY($1::int[])'));
// One machine's (a board's checkmachine): with a plain parameter PostgreSQL settles on one
// generic plan; with an array it would plan every call anew.
const PLAN_PROGRESS_OF_MACHINE = prepared(
  'access.plan-progress-of-machine',
  planProgressSql('WHERE p.machine_id = $1'),
);

@Injectable()
export class TypeormMaintenanceRepository extends MaintenanceRepository {
  private readonly plans: Joined<MaintenancePlanOrmEntity>;
  private readonly interventions: Joined<InterventionOrmEntity>;

  constructor(
    @InjectRepository(MaintenancePlanOrmEntity) plans: Repository<MaintenancePlanOrmEntity>,
    @InjectRepository(InterventionOrmEntity) interventions: Repository<InterventionOrmEntity>,
  ) {
    super();
    this.plans = new Joined(plans);
    this.interventions = new Joined(interventions);
  }

  async progress(machineIds?: readonly number[]): Promise<PlanProgress[]> {
    const rows: ProgressRow[] = !machineIds
      ? await this.plans.manager.query(planProgressSql(''))
      : machineIds.length === 1
        ? (await runPrepared<ProgressRow>(this.plans.manager, PLAN_PROGRESS_OF_MACHINE, [machineIds[0]])).rows
        : (await runPrepared<ProgressRow>(this.plans.manager, PLAN_PROGRESS_OF, [machineIds])).rows;
    return rows.map((row) => ({
      plan: planOfRow(row),
      lastInterventionAt: row.last_intervention_at,
      usedSecondsSince: Number(row.used_seconds),
    }));
  }

  async findPlan(id: number): Promise<MaintenancePlan | null> {
    const row = await this.plans.table.findOneBy({ id });
    return row && planOf(row);
  }

  async createPlan(machineId: number, fields: PlanFields): Promise<MaintenancePlan> {
    const table = this.plans.table;
    return planOf(await table.save(table.create({ machineId, ...fields })));
  }

  async updatePlan(id: number, fields: Partial<PlanFields>): Promise<MaintenancePlan> {
    const table = this.plans.table;
    const changes = defined(fields);
    if (Object.keys(changes).length) await table.update({ id }, changes);
    const row = await table.findOneBy({ id });
    if (!row) throw new NotFoundError('Maintenance plan', id);
    return planOf(row);
  }

  async deletePlan(id: number): Promise<void> {
    await this.plans.table.delete({ id });
  }

  async addInterventions(interventions: readonly NewIntervention[]): Promise<Intervention[]> {
    if (!interventions.length) return [];
    const table = this.interventions.table;
    const saved = await table.save(interventions.map((i) => table.create(i)));
    return saved.map(interventionOf);
  }

  async listInterventions(filter: InterventionFilter, page: Page): Promise<PageResult<Intervention>> {
    const [rows, totalCount] = await this.interventions.table.findAndCount({
      where: defined({ machineId: filter.machineId, planId: filter.planId, userId: filter.userId }),
      order: { performedAt: 'DESC', id: 'DESC' },
      skip: page.offset,
      take: page.limit,
    });
    return { items: rows.map(interventionOf), totalCount, ...page };
  }

  async findIntervention(id: string): Promise<Intervention | null> {
    if (!/^\d{1,18}$/.test(id)) return null;
    const row = await this.interventions.table.findOneBy({ id });
    return row && interventionOf(row);
  }

  async updateIntervention(id: string, changes: InterventionChanges): Promise<Intervention> {
    const table = this.interventions.table;
    const set = defined(changes);
    if (Object.keys(set).length) await table.update({ id }, set);
    const row = await table.findOneBy({ id });
    if (!row) throw new NotFoundError('Intervention', id);
    return interventionOf(row);
  }

  async deleteIntervention(id: string): Promise<void> {
    await this.interventions.table.delete({ id });
  }

  async anonymizeInterventionsBefore(cutoff: Date): Promise<number> {
    const [, count]: [unknown[], number] = await this.interventions.manager.query(
      `UPDATE access_interventions SET user_id = NULL, anonymized = true
        WHERE performed_at < $1 AND NOT anonymized`,
      [cutoff],
    );
    return count;
  }

  countOfMachine(machineId: number): Promise<number> {
    return this.plans.table.countBy({ machineId });
  }

  async deleteOfMachine(machineId: number): Promise<void> {
    await this.plans.table.delete({ machineId });
  }

  countInterventionsOfMachine(machineId: number): Promise<number> {
    return this.interventions.table.countBy({ machineId });
  }

  async deleteInterventionsOfMachine(machineId: number): Promise<void> {
    await this.interventions.table.delete({ machineId });
  }
}

// A log of attempts: one lost in a database crash costs nothing, so the reply need not wait for the disk.
const RECORD_UNKNOWN_CARD = prepared(
  'access.record-unknown-card',
  `WITH ${RELAXED_COMMIT}
   INSERT INTO access_unknown_cards (card_uid, machine_id, attempted_at) SELECT $1, $2, $3 FROM relaxed`,
);

@Injectable()
export class TypeormUnknownCardRepository extends UnknownCardRepository {
  private readonly joined: Joined<UnknownCardOrmEntity>;

  constructor(@InjectRepository(UnknownCardOrmEntity) repo: Repository<UnknownCardOrmEntity>) {
    super();
    this.joined = new Joined(repo);
  }

  async record(cardUid: string, machineId: number, attemptedAt: Date): Promise<void> {
    await runPrepared(this.joined.manager, RECORD_UNKNOWN_CARD, [cardUid, machineId, attemptedAt]);
  }

  async list(filter: { machineId?: number }, page: Page): Promise<PageResult<UnknownCardAttempt>> {
    const [rows, totalCount] = await this.joined.table.findAndCount({
      where: defined({ machineId: filter.machineId }),
      order: { attemptedAt: 'DESC', id: 'DESC' },
      skip: page.offset,
      take: page.limit,
    });
    return { items: rows.map(attemptOf), totalCount, ...page };
  }

  async deleteCard(cardUid: string): Promise<number> {
    return (await this.joined.table.delete({ cardUid })).affected ?? 0;
  }

  async summary(window: UsageWindow): Promise<UnknownCardSummary[]> {
    const rows: { card_uid: string; machine_ids: number[]; attempts: string; last_attempt_at: Date }[] =
      await this.joined.manager.query(
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
    const [, count]: [unknown[], number] = await this.joined.manager.query(
      'DELETE FROM access_unknown_cards WHERE attempted_at < $1',
      [cutoff],
    );
    return count;
  }

  countOfMachine(machineId: number): Promise<number> {
    return this.joined.table.countBy({ machineId });
  }

  async deleteOfMachine(machineId: number): Promise<void> {
    await this.joined.table.delete({ machineId });
  }
}

@Injectable()
export class TypeormBoardRepository extends BoardRepository {
  private readonly joined: Joined<BoardOrmEntity>;

  constructor(@InjectRepository(BoardOrmEntity) repo: Repository<BoardOrmEntity>) {
    super();
    this.joined = new Joined(repo);
  }

  async upsertMany(boards: readonly Board[]): Promise<void> {
    if (!boards.length) return;
    // A late `alive` (queued in the broker) never overwrites a newer one; every board says it again within minutes.
    await this.joined.manager.query(
      `WITH ${RELAXED_COMMIT}
       INSERT INTO access_boards (machine_id, firmware_version, ip, serial, heap, last_seen_at)
       SELECT b.* FROM relaxed,
              unnest($1::int[], $2::varchar[], $3::varchar[], $4::varchar[], $5::bigint[], $6::timestamptz[]) b
       ON CONFLICT (machine_id) DO UPDATE SET firmware_version = EXCLUDED.firmware_version, ip = EXCLUDED.ip,
              serial = EXCLUDED.serial, heap = EXCLUDED.heap, last_seen_at = EXCLUDED.last_seen_at
        WHERE access_boards.last_seen_at <= EXCLUDED.last_seen_at`,
      [
        boards.map((b) => b.machineId),
        boards.map((b) => b.firmwareVersion),
        boards.map((b) => b.ip),
        boards.map((b) => b.serial),
        boards.map((b) => b.heap),
        boards.map((b) => b.lastSeenAt),
      ],
    );
  }

  async list(): Promise<Board[]> {
    const rows = await this.joined.table.find({ order: { machineId: 'ASC' } });
    return rows.map(({ machine: _machine, ...board }) => board);
  }

  countOfMachine(machineId: number): Promise<number> {
    return this.joined.table.countBy({ machineId });
  }

  async deleteOfMachine(machineId: number): Promise<void> {
    await this.joined.table.delete({ machineId });
  }
}

/**
 * A table reached through `transactionalManager`: inside Transactions.run (a board request's
 * use change, the privacy purge, a machine's deletion) its statements join that transaction;
 * elsewhere they run on their own.
 */
class Joined<T extends object> {
  constructor(private readonly repo: Repository<T>) {}

  get manager(): EntityManager {
    return transactionalManager(this.repo.manager);
  }

  get table(): Repository<T> {
    return this.manager.getRepository<T>(this.repo.target);
  }
}

/** TypeORM refuses undefined in a where object; an absent filter is no condition. */
function defined<T extends object>(where: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(where).filter(([, v]) => v !== undefined)) as never;
}

function authorizationOf(row: AuthorizationOrmEntity): Authorization {
  return { id: row.id, userId: row.userId, machineId: row.machineId, createdAt: row.createdAt };
}

/** A use as a raw query returns it (snake_case columns). */
interface UseRow {
  id: string;
  machine_id: number;
  user_id: string | null;
  started_at: Date;
  last_seen_at: Date;
  ended_at: Date | null;
  counted_seconds: number | null;
  reported_duration_seconds: number | null;
  replay: boolean;
  origin: string;
  close_reason: string | null;
  anonymized: boolean;
  created_at: Date;
}

function useOfRow(row: UseRow): Use {
  return {
    id: String(row.id),
    machineId: row.machine_id,
    userId: row.user_id,
    startedAt: row.started_at,
    lastSeenAt: row.last_seen_at,
    endedAt: row.ended_at,
    countedSeconds: row.counted_seconds,
    reportedDurationSeconds: row.reported_duration_seconds,
    replay: row.replay,
    origin: row.origin as UseOrigin,
    closeReason: row.close_reason as UseCloseReason | null,
    anonymized: row.anonymized,
    createdAt: row.created_at,
  };
}

function useOf(row: UseOrmEntity): Use {
  return {
    id: String(row.id),
    machineId: row.machineId,
    userId: row.userId,
    startedAt: row.startedAt,
    lastSeenAt: row.lastSeenAt,
    endedAt: row.endedAt,
    countedSeconds: row.countedSeconds,
    reportedDurationSeconds: row.reportedDurationSeconds,
    replay: row.replay,
    origin: row.origin as UseOrigin,
    closeReason: row.closeReason as UseCloseReason | null,
    anonymized: row.anonymized,
    createdAt: row.createdAt,
  };
}

interface PlanRow {
  id: number;
  machine_id: number;
  description: string;
  lcd_message: string;
  hours_between: number;
  instructions_url: string | null;
  created_at: Date;
  updated_at: Date;
}

interface ProgressRow extends PlanRow {
  last_intervention_at: Date | null;
  used_seconds: string | number;
}

function planOfRow(row: PlanRow): MaintenancePlan {
  return {
    id: row.id,
    machineId: row.machine_id,
    description: row.description,
    lcdMessage: row.lcd_message,
    hoursBetween: Number(row.hours_between),
    instructionsUrl: row.instructions_url,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function planOf(row: MaintenancePlanOrmEntity): MaintenancePlan {
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

function interventionOf(row: InterventionOrmEntity): Intervention {
  return {
    id: String(row.id),
    planId: row.planId,
    machineId: row.machineId,
    userId: row.userId,
    performedAt: row.performedAt,
    origin: row.origin as InterventionOrigin,
    replay: row.replay,
    notes: row.notes,
    anonymized: row.anonymized,
    createdAt: row.createdAt,
  };
}

function attemptOf(row: UnknownCardOrmEntity): UnknownCardAttempt {
  return { id: String(row.id), cardUid: row.cardUid, machineId: row.machineId, attemptedAt: row.attemptedAt };
}
