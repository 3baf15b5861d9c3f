import type { Authorization } from '../domain/board.js';
import type { Intervention, PlanProgress } from '../domain/maintenance.js';

/**
 * Repository ports of the access context that both the board protocol and the API use.
 * Ports used by one side only live beside that side's service.
 */

export abstract class AuthorizationRepository {
  abstract exists(userId: string, machineId: number): Promise<boolean>;
}

export type NewIntervention = Omit<Intervention, 'id' | 'anonymized' | 'createdAt'>;

export abstract class MaintenanceRepository {
  /** Every plan of the machine with its last intervention and the closed use since then, in plan order. */
  abstract progress(machineId: number): Promise<PlanProgress[]>;
  abstract addInterventions(interventions: NewIntervention[]): Promise<Intervention[]>;
}

export type { Authorization };
