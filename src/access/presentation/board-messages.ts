import { MalformedMessageError } from '../../shared/mqtt/inbound-message.js';
import type { BoardAction, BoardReply, BoardRequest } from '../application/board-exchange.js';
import { normalizeCard } from '../domain/card-access.js';

/**
 * The wire side of the board protocol: board payloads (hand-built JSON strings with
 * irregular spaces: parsed, never compared as text) into typed requests, and replies into
 * payloads the board's 300-byte buffer takes.
 */

/** The board's buffer is 300 bytes including the topic. */
export const MAX_REPLY_BYTES = 250;
/** Texts shown on the board's 16-character LCD; longer ones only cost reply bytes. */
const MAX_TEXT_CHARS = 40;
const MACHINE_ID = /^\d{1,64}$/;
const DIGITS = /^\d{1,15}$/;

const UID_ACTIONS = new Set<BoardAction>(['checkuser', 'startuse', 'inuse', 'stopuse', 'maintenance']);
const ACTIONS = new Set<string>([...UID_ACTIONS, 'checkmachine', 'alive', 'synccache']);

/** Actions the board waits a reply for: all but `alive`. */
export function expectsReply(action: BoardAction): boolean {
  return action !== 'alive';
}

/** The topic's machine id: the machine's code, all digits (anything else is not a board). */
export function boardMachineCode(id: string, topic: string): string {
  if (!MACHINE_ID.test(id))
    throw new MalformedMessageError('invalid_machine_id', 'machine id is not all digits', topic);
  return id;
}

export function parseBoardRequest(payload: Buffer, source: string): BoardRequest {
  const fail = (reason: string, message: string): never => {
    throw new MalformedMessageError(reason, message, source);
  };
  let body: unknown;
  try {
    body = JSON.parse(payload.toString('utf8'));
  } catch {
    return fail('invalid_json', 'payload is not JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail('not_an_object', 'not an object');
  const fields = body as Record<string, unknown>;
  const { action } = fields;
  if (typeof action !== 'string') return fail('missing_action', 'no action');
  if (!ACTIONS.has(action)) return fail('unknown_action', `unknown action ${action.slice(0, 40)}`);
  const replay = fields.replay ?? false;
  if (typeof replay !== 'boolean') fail('invalid_replay', 'replay is not a boolean');
  const uid = () => {
    if (typeof fields.uid !== 'string') return fail('missing_uid', 'no uid string');
    return normalizeCard(fields.uid) ?? fail('invalid_uid', 'uid is not 8 hex characters');
  };
  const duration = () =>
    typeof fields.duration === 'number' && Number.isFinite(fields.duration)
      ? fields.duration
      : fail('invalid_duration', 'duration is not a number');
  switch (action as BoardAction) {
    case 'checkuser':
      return { action: 'checkuser', uid: uid() };
    case 'checkmachine':
      return { action: 'checkmachine' };
    case 'startuse':
      return { action: 'startuse', uid: uid(), replay: replay as boolean };
    case 'inuse':
      return { action: 'inuse', uid: uid(), duration: duration() };
    case 'stopuse':
      return { action: 'stopuse', uid: uid(), duration: duration(), replay: replay as boolean };
    case 'maintenance':
      return { action: 'maintenance', uid: uid(), replay: replay as boolean };
    case 'synccache':
      return { action: 'synccache' };
    case 'alive':
      return parseAlive(fields, fail);
  }
}

/** `version` and `ip` are required; `serial` and `heap` came with firmware 0.6.7 (heap quoted: "123456"). */
function parseAlive(fields: Record<string, unknown>, fail: (reason: string, message: string) => never): BoardRequest {
  const { version, ip, serial, heap } = fields;
  if (typeof version !== 'string' || typeof ip !== 'string') return fail('invalid_alive', 'no version or ip string');
  return {
    action: 'alive',
    version: version.slice(0, 200),
    ip: ip.slice(0, 64),
    serial: typeof serial === 'string' ? serial.slice(0, 64) : '',
    heap: heapOf(heap),
  };
}

function heapOf(heap: unknown): number | null {
  if (typeof heap === 'number') return Number.isSafeInteger(heap) && heap >= 0 ? heap : null;
  if (typeof heap === 'string' && DIGITS.test(heap.trim())) return Number(heap.trim());
  return null;
}

/**
 * Compact JSON under MAX_REPLY_BYTES: texts are clipped for the LCD, and a synccache reply
 * keeps only the cards that fit (the first ones: staff first).
 */
export function encodeReply(reply: BoardReply): string {
  const clipped: Record<string, unknown> = { ...reply };
  for (const key of ['name', 'description', 'message'])
    if (typeof clipped[key] === 'string')
      clipped[key] = [...(clipped[key] as string)].slice(0, MAX_TEXT_CHARS).join('');
  if (Array.isArray(clipped.cards)) {
    const cards = [...(clipped.cards as unknown[])];
    while (cards.length && byteLength({ ...clipped, cards }) >= MAX_REPLY_BYTES) cards.pop();
    clipped.cards = cards;
  }
  // Multi-byte names: shorten the longest text until the reply fits.
  while (byteLength(clipped) >= MAX_REPLY_BYTES) {
    const longest = ['name', 'description', 'message']
      .filter((key) => typeof clipped[key] === 'string' && (clipped[key] as string).length > 0)
      .sort((a, b) => (clipped[b] as string).length - (clipped[a] as string).length)[0];
    if (!longest) break;
    clipped[longest] = [...(clipped[longest] as string)].slice(0, -1).join('');
  }
  return JSON.stringify(clipped);
}

function byteLength(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}
