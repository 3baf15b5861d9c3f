/**
 * The requests a FAB-O-MATIC board sends and the replies it expects (PROTOCOLS.md section
 * B). Reply field names and JSON types are fixed by the deployed firmware: they are the
 * wire names, snake_case included.
 */

export type BoardAction =
  'checkuser' | 'checkmachine' | 'startuse' | 'inuse' | 'stopuse' | 'maintenance' | 'alive' | 'synccache';

export type BoardRequest =
  | { action: 'checkuser'; uid: string }
  | { action: 'checkmachine' }
  | { action: 'startuse'; uid: string; replay: boolean }
  | { action: 'inuse'; uid: string; duration: number }
  | { action: 'stopuse'; uid: string; duration: number; replay: boolean }
  | { action: 'maintenance'; uid: string; replay: boolean }
  | { action: 'alive'; version: string; ip: string; serial: string; heap: number | null }
  | { action: 'synccache' };

export interface UserReply {
  request_ok: boolean;
  is_valid: boolean;
  name: string;
  missing_auth: boolean;
  level: number;
}

export interface MachineReply {
  request_ok: boolean;
  is_valid: boolean;
  maintenance: boolean;
  allowed: boolean;
  name: string;
  logoff: number;
  type: number;
  grace: number;
  description: string;
}

export interface SimpleReply {
  request_ok: boolean;
  message: string;
}

export interface SyncCacheReply {
  request_ok: boolean;
  cards: { uid: string; level: number }[];
}

export type BoardReply = UserReply | MachineReply | SimpleReply | SyncCacheReply;

/** What the original sends for a machine it cannot describe, and what a machine without a type gets. */
export const DEFAULT_LOGOFF_MINUTES = 1440;
export const DEFAULT_GRACE_MINUTES = 2;

/**
 * The reply that says "not done" in the shape the action expects: for an unknown machine,
 * or at once when the database fails (the board would otherwise wait 2 s and go fail-fast).
 * Null for `alive`, which is never answered.
 */
export function refusal(action: BoardAction, message: string): BoardReply | null {
  switch (action) {
    case 'checkuser':
      return { request_ok: false, is_valid: false, name: '', missing_auth: true, level: 0 };
    case 'checkmachine':
      return {
        request_ok: false,
        is_valid: false,
        maintenance: false,
        allowed: false,
        name: '?',
        logoff: DEFAULT_LOGOFF_MINUTES,
        type: 0,
        grace: DEFAULT_GRACE_MINUTES,
        description: '',
      };
    case 'synccache':
      return { request_ok: false, cards: [] };
    case 'alive':
      return null;
    default:
      return { request_ok: false, message };
  }
}

export const UNKNOWN_MACHINE_MESSAGE = 'Invalid machine ID';
export const BACKEND_FAILURE_MESSAGE = 'BACKEND EXCEPTION';
