import { Injectable } from '@nestjs/common';
import { MachinesService } from '../../machines/application/machines.service.js';
import { UsersService } from '../../identity/application/users.service.js';
import { NotFoundError } from '../../shared/errors/domain-errors.js';
import { toPage } from '../../shared/graphql/pagination.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import {
  isOverdue,
  overdueHours,
  type Intervention,
  type MaintenancePlan,
  type PlanProgress,
} from '../domain/maintenance.js';
import { AccessDirectory, type Labelled, type MachineLabel } from './access-directory.service.js';
import { ACCESS_STATUS_CHANGED, type AccessStatusChangedEvent } from './access-events.js';
import { MaintenanceRepository, type InterventionChanges, type PlanFields } from './access.ports.js';

/** A plan as the API shows it: with where it stands since its last intervention. */
export interface PlanStatus extends MaintenancePlan {
  machine: MachineLabel;
  lastInterventionAt: Date | null;
  usedSecondsSince: number;
  overdue: boolean;
  /** Hours past due; negative: hours left. */
  overdueHours: number;
}

export interface CreateInterventionCommand {
  planId: number;
  /** Default: the caller. */
  userId?: string | null;
  /** Default: now. */
  performedAt?: Date | null;
  notes?: string | null;
}

export interface InterventionQuery {
  machineCode?: string | null;
  planId?: number | null;
  userId?: string | null;
}

/**
 * Maintenance plans (every N hours of use) and the interventions that reset them. Changes
 * may make a machine's maintenance due or clear it: the status board hears of each.
 */
@Injectable()
export class MaintenanceService {
  constructor(
    private readonly maintenance: MaintenanceRepository,
    private readonly directory: AccessDirectory,
    private readonly users: UsersService,
    private readonly pubsub: PubSub,
    private readonly machines: MachinesService,
  ) {
    machines.registerDeletionParticipant({
      what: 'maintenance interventions',
      count: (id) => maintenance.countInterventionsOfMachine(id),
      delete: (id) => maintenance.deleteInterventionsOfMachine(id),
    });
    machines.registerDeletionParticipant({
      what: 'maintenance plans',
      count: (id) => maintenance.countOfMachine(id),
      delete: (id) => maintenance.deleteOfMachine(id),
    });
  }

  async plans(machineCode?: string | null): Promise<PlanStatus[]> {
    const machineIds = machineCode ? [this.machines.requireByCode(machineCode).id] : undefined;
    return (await this.maintenance.progress(machineIds)).map((p) => this.planStatus(p));
  }

  async plan(id: number): Promise<PlanStatus> {
    const plan = await this.requirePlan(id);
    const progress = (await this.maintenance.progress([plan.machineId])).find((p) => p.plan.id === id);
    if (!progress) throw new NotFoundError('Maintenance plan', id);
    return this.planStatus(progress);
  }

  /** Every overdue plan of every machine, by machine then plan. */
  async overduePlans(): Promise<PlanStatus[]> {
    return (await this.maintenance.progress()).filter(isOverdue).map((p) => this.planStatus(p));
  }

  async createPlan(machineCode: string, fields: PlanFields): Promise<PlanStatus> {
    const machine = this.machines.requireByCode(machineCode);
    const plan = await this.maintenance.createPlan(machine.id, fields);
    await this.changed(plan.machineId);
    return this.plan(plan.id);
  }

  async updatePlan(id: number, fields: Partial<PlanFields>): Promise<PlanStatus> {
    await this.requirePlan(id);
    const plan = await this.maintenance.updatePlan(id, fields);
    await this.changed(plan.machineId);
    return this.plan(id);
  }

  /** Its interventions go with it. */
  async deletePlan(id: number): Promise<PlanStatus> {
    const plan = await this.plan(id);
    await this.maintenance.deletePlan(id);
    await this.changed(plan.machineId);
    return plan;
  }

  async interventions(query: InterventionQuery, page: { offset: number; limit: number }) {
    const result = await this.maintenance.listInterventions(
      {
        machineId: query.machineCode ? this.machines.requireByCode(query.machineCode).id : undefined,
        planId: query.planId ?? undefined,
        userId: query.userId ?? undefined,
      },
      page,
    );
    return toPage({ ...result, items: await this.directory.label(result.items) });
  }

  async createIntervention(command: CreateInterventionCommand, callerId: string): Promise<Labelled<Intervention>> {
    const plan = await this.requirePlan(command.planId);
    const userId = command.userId ?? callerId;
    await this.users.get(userId);
    const [intervention] = await this.maintenance.addInterventions([
      {
        planId: plan.id,
        machineId: plan.machineId,
        userId,
        performedAt: command.performedAt ?? new Date(),
        origin: 'api',
        replay: false,
        notes: command.notes ?? '',
      },
    ]);
    return this.changedIntervention(intervention);
  }

  async updateIntervention(id: string, changes: InterventionChanges): Promise<Labelled<Intervention>> {
    await this.requireIntervention(id);
    if (changes.userId) await this.users.get(changes.userId);
    return this.changedIntervention(await this.maintenance.updateIntervention(id, changes));
  }

  async deleteIntervention(id: string): Promise<Labelled<Intervention>> {
    const intervention = await this.requireIntervention(id);
    await this.maintenance.deleteIntervention(id);
    return this.changedIntervention(intervention);
  }

  private planStatus(progress: PlanProgress): PlanStatus {
    return {
      ...progress.plan,
      machine: this.directory.machineLabel(progress.plan.machineId),
      lastInterventionAt: progress.lastInterventionAt,
      usedSecondsSince: progress.usedSecondsSince,
      overdue: isOverdue(progress),
      overdueHours: overdueHours(progress),
    };
  }

  private async requirePlan(id: number): Promise<MaintenancePlan> {
    const plan = await this.maintenance.findPlan(id);
    if (!plan) throw new NotFoundError('Maintenance plan', id);
    return plan;
  }

  private async requireIntervention(id: string): Promise<Intervention> {
    const intervention = await this.maintenance.findIntervention(id);
    if (!intervention) throw new NotFoundError('Intervention', id);
    return intervention;
  }

  private async changedIntervention(intervention: Intervention): Promise<Labelled<Intervention>> {
    await this.changed(intervention.machineId);
    const [labelled] = await this.directory.label([intervention]);
    return labelled;
  }

  private changed(machineId: number): Promise<void> {
    return this.pubsub.publish<AccessStatusChangedEvent>(ACCESS_STATUS_CHANGED, { machineId });
  }
}
