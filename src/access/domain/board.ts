/** The one RFID board record of a machine, from its `alive` messages. */
export interface Board {
  machineId: number;
  firmwareVersion: string;
  ip: string;
  serial: string;
  /** Free heap in bytes (boards send it as a number or as a string of digits). */
  heap: number | null;
  lastSeenAt: Date;
}

/** A machine is online when any board message came in the last 90 s. */
export const ONLINE_WINDOW_MS = 90_000;

export function isOnline(lastSeenAt: Date | null, now: Date): boolean {
  return lastSeenAt !== null && now.getTime() - lastSeenAt.getTime() <= ONLINE_WINDOW_MS;
}

/** One attempt of a card nobody holds, on a machine. */
export interface UnknownCardAttempt {
  id: string;
  cardUid: string;
  machineId: number;
  attemptedAt: Date;
}

export interface Authorization {
  id: number;
  userId: string;
  machineId: number;
  createdAt: Date;
}
