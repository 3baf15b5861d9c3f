/**
 * Published after every change that can move a machine's access status (a use opened or
 * closed, a board seen again after being offline, an unknown card, maintenance recorded).
 * Carries only the machine: subscribers read the status they show.
 */
export const ACCESS_STATUS_CHANGED = 'access.statusChanged';

export interface AccessStatusChangedEvent {
  machineId: number;
}
