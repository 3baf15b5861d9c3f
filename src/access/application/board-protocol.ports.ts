import type { Board } from '../domain/board.js';
import type { NewUse, Use, UseClosing } from '../domain/use.js';

/** Ports of the board protocol (MQTT side); the API side has its own repositories over the same tables. */

export interface OpenAndLatestUse {
  /** The machine's open use (at most one: the database guarantees it). */
  open: Use | null;
  /** The machine's most recently started use, open or closed. */
  latest: Use | null;
}

export interface OrphanedUse {
  id: string;
  machineId: number;
}

export abstract class UseRepository {
  /**
   * Serialises the use changes of one machine across replicas until the running
   * transaction ends (call inside Transactions.run).
   */
  abstract lockMachine(machineId: number): Promise<void>;
  abstract openAndLatest(machineId: number): Promise<OpenAndLatestUse>;
  abstract insert(use: NewUse): Promise<Use>;
  /** Closes the open use, or (alreadyClosed) re-closes an auto-closed one with the board's duration; false when nothing matched. */
  abstract close(closing: UseClosing, alreadyClosed: boolean): Promise<boolean>;
  abstract refresh(useId: string, lastSeenAt: Date): Promise<void>;
  /**
   * Moves the machine's open use's last heartbeat forward in one statement; false when the
   * machine has no open use. Atomic on its own: a use closed meanwhile is not matched.
   */
  abstract refreshOpen(machineId: number, lastSeenAt: Date): Promise<boolean>;
  /** Open uses whose last message is older than `silentSince`, oldest first. */
  abstract findOrphaned(silentSince: Date, limit: number): Promise<OrphanedUse[]>;
}

export abstract class BoardRepository {
  /** One statement for all; a board row is never overwritten by an older sighting. */
  abstract upsertMany(boards: readonly Board[]): Promise<void>;
}

export abstract class UnknownCardRepository {
  abstract record(cardUid: string, machineId: number, attemptedAt: Date): Promise<void>;
}

export abstract class CardAuthorizationRepository {
  /** Those of `userIds` holding an authorisation for the machine (one query, for synccache). */
  abstract authorizedAmong(machineId: number, userIds: readonly string[]): Promise<Set<string>>;
}
