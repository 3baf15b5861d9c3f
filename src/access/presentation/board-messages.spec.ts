import { describe, expect, it } from '@jest/globals';
import { MalformedMessageError } from '../../shared/mqtt/inbound-message.js';
import { boardMachineCode, encodeReply, MAX_REPLY_BYTES, parseBoardRequest } from './board-messages.js';

const parse = (text: string) => parseBoardRequest(Buffer.from(text), 'machine/17');
const reasonOf = (text: string) => {
  try {
    parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedMessageError);
    return (error as MalformedMessageError).reason;
  }
  throw new Error(`accepted: ${text}`);
};

describe('board requests', () => {
  it('parses what the firmware builds, irregular spaces and all', () => {
    expect(parse('{"action":"checkuser", "uid":"AABBCCD1"}')).toEqual({ action: 'checkuser', uid: 'aabbccd1' });
    expect(parse('{"action":"startuse", "uid":"aabbccd3", "replay":true}')).toEqual({
      action: 'startuse',
      uid: 'aabbccd3',
      replay: true,
    });
    expect(parse('{"action":"stopuse", "uid":"aabbccd3","duration":45}')).toEqual({
      action: 'stopuse',
      uid: 'aabbccd3',
      duration: 45,
      replay: false,
    });
    expect(parse('{"action":"checkmachine", "extra": 1}')).toEqual({ action: 'checkmachine' });
  });

  it('takes the heap of an alive as a number or a string of digits, serial and heap optional', () => {
    const alive = (rest: string) => parse(`{"action":"alive","version":"rev0,1.0.1","ip":"10.0.0.9"${rest}}`);
    expect(alive(',"serial":"dcda0c419794","heap":"123456"')).toMatchObject({ serial: 'dcda0c419794', heap: 123456 });
    expect(alive(',"heap":99000')).toMatchObject({ serial: '', heap: 99000 });
    expect(alive('')).toMatchObject({ serial: '', heap: null });
    expect(alive(',"heap":"12k"')).toMatchObject({ heap: null });
    expect(alive(',"heap":-1')).toMatchObject({ heap: null });
  });

  it('rejects bad input with a reason, never a request', () => {
    expect(reasonOf('{"action":"checkuser"')).toBe('invalid_json');
    expect(reasonOf('[1]')).toBe('not_an_object');
    expect(reasonOf('{"uid":"aabbccd1"}')).toBe('missing_action');
    expect(reasonOf('{"action":"reboot"}')).toBe('unknown_action');
    expect(reasonOf('{"action":"checkuser"}')).toBe('missing_uid');
    expect(reasonOf('{"action":"checkuser","uid":12345678}')).toBe('missing_uid');
    expect(reasonOf('{"action":"checkuser","uid":"aabbcc"}')).toBe('invalid_uid');
    expect(reasonOf('{"action":"inuse","uid":"aabbccd1","duration":"30"}')).toBe('invalid_duration');
    expect(reasonOf('{"action":"stopuse","uid":"aabbccd1"}')).toBe('invalid_duration');
    expect(reasonOf('{"action":"startuse","uid":"aabbccd1","replay":1}')).toBe('invalid_replay');
    expect(reasonOf('{"action":"alive"}')).toBe('invalid_alive');
  });

  it('takes only all-digit machine ids from the topic', () => {
    expect(boardMachineCode('0042', 'machine/0042')).toBe('0042');
    expect(() => boardMachineCode('4a', 'machine/4a')).toThrow(MalformedMessageError);
    expect(() => boardMachineCode('', 'machine/')).toThrow(MalformedMessageError);
  });
});

describe('board replies', () => {
  it('keeps field names and JSON types', () => {
    const text = encodeReply({ request_ok: true, is_valid: true, name: 'Ada', missing_auth: false, level: 2 });
    expect(JSON.parse(text)).toEqual({ request_ok: true, is_valid: true, name: 'Ada', missing_auth: false, level: 2 });
  });

  it('keeps every reply under 250 bytes: long or multi-byte texts shortened, cards cut', () => {
    const machine = encodeReply({
      request_ok: true,
      is_valid: true,
      maintenance: true,
      allowed: true,
      name: 'é'.repeat(200),
      logoff: 1440,
      type: 12,
      grace: 2,
      description: '漢'.repeat(40),
    });
    expect(Buffer.byteLength(machine)).toBeLessThan(MAX_REPLY_BYTES);
    expect(JSON.parse(machine).logoff).toBe(1440);

    const cards = Array.from({ length: 50 }, (_, i) => ({ uid: i.toString(16).padStart(8, '0'), level: 1 }));
    const sync = encodeReply({ request_ok: true, cards });
    expect(Buffer.byteLength(sync)).toBeLessThan(MAX_REPLY_BYTES);
    const kept = JSON.parse(sync).cards;
    expect(kept.length).toBeGreaterThan(3);
    expect(kept).toEqual(cards.slice(0, kept.length));
  });
});
