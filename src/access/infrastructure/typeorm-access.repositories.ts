import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import { transactionalManager } from '../../shared/database/typeorm-transactions.js';
import { AuthorizationRepository, MaintenanceRepository, type NewIntervention } from '../application/access.ports.js';
import type { Intervention, InterventionOrigin, MaintenancePlan, PlanProgress } from '../domain/maintenance.js';
import type { Use, UseCloseReason, UseOrigin } from '../domain/use.js';
import {
  AuthorizationOrmEntity,
  InterventionOrmEntity,
  MaintenancePlanOrmEntity,
  type UseOrmEntity,
} from './access.orm-entities.js';

@Injectable()
export class TypeormAuthorizationRepository extends AuthorizationRepository {
  constructor(@InjectRepository(AuthorizationOrmEntity) private readonly repo: Repository<AuthorizationOrmEntity>) {
    super();
  }

  async exists(userId: string, machineId: number): Promise<boolean> {
    return this.repo.existsBy({ userId, machineId });
  }
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

/**
 * Every plan of one machine (or of all machines) with its last intervention and the time
 * used since: the closed uses that started after it (reference §2.5). In machine, then
 * plan order. The board protocol and the API both read progress through this one query.
 */
export async function planProgress(manager: EntityManager, machineId?: number): Promise<PlanProgress[]> {
  const [where, parameters] = machineId === undefined ? ['', []] : ['WHERE p.machine_id = $1', [machineId]];
  const rows: ProgressRow[] = await manager.query(
    `SELECT p.*, last.at AS last_intervention_at,
            COALESCE((SELECT SUM(EXTRACT(EPOCH FROM (u.ended_at - u.started_at)))
                        FROM access_uses u
                       WHERE u.machine_id = p.machine_id AND u.ended_at IS NOT NULL
                         AND (last.at IS NULL OR u.started_at > last.at)), 0) AS used_seconds
       FROM access_maintenance_plans p
       LEFT JOIN LATERAL (SELECT max(i.performed_at) AS at FROM access_interventions i WHERE i.plan_id = p.id) last ON true
      ${where}
      ORDER BY p.machine_id, p.id`,
    parameters,
  );
  return rows.map((row) => ({
    plan: planOf(row),
    lastInterventionAt: row.last_intervention_at,
    usedSecondsSince: Number(row.used_seconds),
  }));
}

@Injectable()
export class TypeormMaintenanceRepository extends MaintenanceRepository {
  constructor(
    @InjectRepository(MaintenancePlanOrmEntity) private readonly plans: Repository<MaintenancePlanOrmEntity>,
  ) {
    super();
  }

  progress(machineId: number): Promise<PlanProgress[]> {
    return planProgress(transactionalManager(this.plans.manager), machineId);
  }

  async addInterventions(interventions: NewIntervention[]): Promise<Intervention[]> {
    if (!interventions.length) return [];
    const repo = transactionalManager(this.plans.manager).getRepository(InterventionOrmEntity);
    const saved = await repo.save(interventions.map((i) => repo.create(i)));
    return saved.map(interventionOf);
  }
}

export function planOf(row: PlanRow): MaintenancePlan {
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

export function interventionOf(row: InterventionOrmEntity): Intervention {
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

export function useOf(row: UseOrmEntity): Use {
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
