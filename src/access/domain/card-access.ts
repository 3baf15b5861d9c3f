/**
 * Who may use a machine with an RFID card (PROTOCOLS.md section B, `checkuser`), as plain
 * rules over the facts the access context gathers from identity and machines.
 */

/** A card holder as access control sees them: an identity user with a card. */
export interface CardHolder {
  userId: string;
  displayName: string;
  cardUid: string;
  disabled: boolean;
  /** Some role of the user has `authorizeAll` (staff: every machine, even blocked ones). */
  authorizeAll: boolean;
  /** Some role of the user has `canMaintain` (may record maintenance from a board). */
  canMaintain: boolean;
}

/** A machine as the boards see it. */
export interface AccessMachine {
  id: number;
  code: string;
  name: string;
  blocked: boolean;
  /** The machine type's id; boards show it as `type` (0 when the machine has no type). */
  machineTypeId: number | null;
  /** From the machine type; a machine without a type needs authorisations (as in the original). */
  needsAuthorization: boolean;
  /** Minutes; 0 = the board never logs off by itself. */
  autoLogoffMinutes: number;
  graceMinutes: number;
}

/** What `checkuser` and `synccache` send as `level`. */
export const AccessLevel = { REFUSED: 0, USER: 1, STAFF: 2 } as const;
export type AccessLevel = (typeof AccessLevel)[keyof typeof AccessLevel];

/**
 * A user is authorised on machine M when not disabled and (role `authorizeAll` — even if M
 * is blocked — or (M not blocked and (M's type needs no authorisation or an authorisation
 * (user, M) exists))). Deleted users hold no card, so they never reach this rule.
 */
export function isAuthorized(holder: CardHolder, machine: AccessMachine, hasAuthorization: boolean): boolean {
  if (holder.disabled) return false;
  if (holder.authorizeAll) return true;
  if (machine.blocked) return false;
  return !machine.needsAuthorization || hasAuthorization;
}

export function accessLevel(holder: CardHolder, machine: AccessMachine, hasAuthorization: boolean): AccessLevel {
  if (!isAuthorized(holder, machine, hasAuthorization)) return AccessLevel.REFUSED;
  return holder.authorizeAll ? AccessLevel.STAFF : AccessLevel.USER;
}

/** Only holders whose role can maintain, and who are not disabled, record maintenance. */
export function mayRecordMaintenance(holder: CardHolder): boolean {
  return !holder.disabled && holder.canMaintain;
}

/** Card uids are 8 hex characters; boards send lowercase, people type either. */
export const CARD_UID = /^[0-9a-fA-F]{8}$/;

export function normalizeCard(uid: string): string | null {
  const trimmed = uid.trim();
  return CARD_UID.test(trimmed) ? trimmed.toLowerCase() : null;
}
