/**
 * Maintenance plans and interventions, and when a plan is overdue (reference/fabomatic.md
 * §2.5): the closed uses of the machine that started after the plan's last intervention
 * add up to more than the plan's interval. Open uses do not count; the machine's hours
 * counter is not used (it can be corrected by hand).
 */

export interface MaintenancePlan {
  id: number;
  machineId: number;
  description: string;
  /** Shown on the board's LCD while the plan is overdue (16-character rows). */
  lcdMessage: string;
  hoursBetween: number;
  instructionsUrl: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type InterventionOrigin = 'board' | 'api';

export interface Intervention {
  id: string;
  planId: number;
  machineId: number;
  /** Null once anonymised by the privacy purge. */
  userId: string | null;
  performedAt: Date;
  origin: InterventionOrigin;
  replay: boolean;
  notes: string;
  anonymized: boolean;
  createdAt: Date;
}

/** A plan with what has been used since its last intervention. */
export interface PlanProgress {
  plan: MaintenancePlan;
  lastInterventionAt: Date | null;
  /** Σ (end − start) of the machine's closed uses started after the last intervention. */
  usedSecondsSince: number;
}

export function isOverdue(progress: PlanProgress): boolean {
  return progress.usedSecondsSince > progress.plan.hoursBetween * 3600;
}

/** Hours past due (negative: hours left). */
export function overdueHours(progress: PlanProgress): number {
  return progress.usedSecondsSince / 3600 - progress.plan.hoursBetween;
}

/** The overdue plans in plan order (the first one's LCD message is what the board shows). */
export function overduePlans(progress: readonly PlanProgress[]): PlanProgress[] {
  return [...progress].sort((a, b) => a.plan.id - b.plan.id).filter(isOverdue);
}

/** The board's LCD row is short and the whole reply must stay under ~250 bytes. */
export const LCD_MESSAGE_MAX = 40;
