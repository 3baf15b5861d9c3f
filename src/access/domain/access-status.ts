/**
 * The status board of RFID machines (the original's home screen): one status per machine,
 * the first that holds in this order — a machine in use is shown in use even when it is
 * blocked meanwhile, a blocked machine is blocked whatever its maintenance, and so on.
 */
export const ACCESS_STATUSES = ['IN_USE', 'BLOCKED', 'MAINTENANCE', 'OFFLINE', 'FREE'] as const;
export type AccessStatus = (typeof ACCESS_STATUSES)[number];

/** What the status is decided from. */
export interface AccessStatusFacts {
  /** The machine has an open use. */
  inUse: boolean;
  blocked: boolean;
  /** Some maintenance plan of the machine is overdue. */
  maintenanceDue: boolean;
  /** A board message came in the last 90 s. */
  online: boolean;
}

export function accessStatus(facts: AccessStatusFacts): AccessStatus {
  if (facts.inUse) return 'IN_USE';
  if (facts.blocked) return 'BLOCKED';
  if (facts.maintenanceDue) return 'MAINTENANCE';
  if (!facts.online) return 'OFFLINE';
  return 'FREE';
}

export type AccessStatusCounts = Record<AccessStatus, number>;

/** How many machines are in each status, every status present (0 when none). */
export function countByStatus(statuses: Iterable<AccessStatus>): AccessStatusCounts {
  const counts = Object.fromEntries(ACCESS_STATUSES.map((s) => [s, 0])) as AccessStatusCounts;
  for (const status of statuses) counts[status] += 1;
  return counts;
}

/** Boards are addressed by numeric machine codes only (their machine id is a uint16). */
export function isBoardCode(code: string): boolean {
  return /^\d+$/.test(code);
}
