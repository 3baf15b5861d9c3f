import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { BUFFER_CAPACITY, RfidBoard, withReplayFlag, type BoardTimings } from './rfid-board.js';

const TIMINGS: BoardTimings = { replyTimeoutMs: 2_000, failFastMs: 45_000, refreshMs: 30_000, aliveMs: 120_000 };
/** The fake backend answers this long after a request. */
const REPLY_DELAY_MS = 5;

type Request = Record<string, unknown> & { action: string };
/** What the fake backend answers; undefined: it stays silent. */
type Responder = (request: Request) => Record<string, unknown> | undefined;

const answers = {
  user: (level: number) => ({ request_ok: true, is_valid: level > 0, name: 'Ada', missing_auth: false, level }),
  machine: (fields: { maintenance?: boolean; allowed?: boolean } = {}) => ({
    request_ok: true,
    is_valid: true,
    maintenance: fields.maintenance ?? false,
    allowed: fields.allowed ?? true,
    name: 'LASER 1',
    logoff: 120,
    type: 1,
    grace: 3,
    description: '',
  }),
  simple: { request_ok: true, message: '' },
};

/** A backend that knows card aabbccd1 (level 1) and aabbccd2 (level 2), and a machine that is free. */
function backend(overrides: Partial<Record<string, Responder>> = {}): Responder {
  return (request) => {
    const override = overrides[request.action];
    if (override) return override(request);
    switch (request.action) {
      case 'checkuser':
        return answers.user(({ aabbccd1: 1, aabbccd2: 2 } as Record<string, number>)[request.uid as string] ?? 0);
      case 'checkmachine':
        return answers.machine();
      case 'alive':
        return undefined;
      default:
        return answers.simple;
    }
  };
}

/** A board on a fake link: `published` is the wire text, in order; the responder answers after REPLY_DELAY_MS. */
function setUp(responder: Responder = backend()) {
  const published: string[] = [];
  const latencies: number[] = [];
  const link = { connected: true, responder };
  const sut = new RfidBoard({
    machineId: '101',
    timings: TIMINGS,
    onReply: (_action, latency) => latencies.push(latency),
  });
  sut.attach({
    publish: (topic, payload) => {
      expect(topic).toBe('machine/101');
      published.push(payload);
      const reply = link.responder(JSON.parse(payload) as Request);
      if (reply) setTimeout(() => sut.receive('machine/101/reply', JSON.stringify(reply)), REPLY_DELAY_MS);
    },
    get connected() {
      return link.connected;
    },
  });
  const actions = () => published.map((p) => (JSON.parse(p) as Request).action);
  return { sut, published, latencies, link, actions };
}

/** Settles a board operation under fake timers. */
async function settle<T>(operation: Promise<T>, ms = 10_000): Promise<T> {
  await jest.advanceTimersByTimeAsync(ms);
  return operation;
}

beforeEach(() => {
  jest.useFakeTimers({ now: Date.UTC(2026, 10, 2, 9, 0, 0) });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('RfidBoard', () => {
  describe('what it publishes', () => {
    it('announces itself with alive on connect (version, ip, serial, heap as a string of digits) and waits for nothing', async () => {
      const { sut, published } = setUp();
      sut.connected();
      await jest.advanceTimersByTimeAsync(1);

      expect(published).toEqual([
        '{"action":"alive","version":"hardware-rev0-it_IT,1.0.1","ip":"192.168.1.50","serial":"dcda0c419794","heap":"123456"}',
      ]);
      expect(sut.clientId).toBe('BOARD101');
      expect(sut.topics).toEqual({
        request: 'machine/101',
        reply: 'machine/101/reply',
        command: 'machine/101/request',
      });
      expect(sut.stats().timeouts).toBe(0);
      await sut.close();
    });

    it('logs a valid card in (checkuser, startuse, checkmachine) and out with the same card (stopuse with the duration)', async () => {
      const { sut, published } = setUp();

      expect(await settle(sut.tap('aabbccd1'))).toBe('started');
      expect(sut.activeUser).toBe('aabbccd1');
      await jest.advanceTimersByTimeAsync(45_000 - 10_000);
      expect(await settle(sut.tap('aabbccd1'), 1_000)).toBe('stopped');

      expect(published).toEqual([
        '{"action":"checkuser", "uid":"aabbccd1"}',
        '{"action":"startuse", "uid":"aabbccd1"}',
        '{"action":"checkmachine"}',
        '{"action":"stopuse", "uid":"aabbccd1","duration":45}',
        '{"action":"checkmachine"}',
      ]);
      expect(sut.activeUser).toBeUndefined();
      expect(sut.stats()).toMatchObject({ replies: 5, extra: 0, timeouts: 0, mismatched: 0 });
    });

    it('refuses an unknown card without a startuse', async () => {
      const { sut, actions } = setUp();

      expect(await settle(sut.tap('deadbeef'))).toBe('refused');
      expect(actions()).toEqual(['checkuser', 'checkmachine']);
      expect(sut.activeUser).toBeUndefined();
    });

    it('ignores another card while a user is logged in', async () => {
      const { sut, actions } = setUp();
      await settle(sut.tap('aabbccd1'));

      expect(await settle(sut.tap('aabbccd2'))).toBe('busy');
      expect(actions()).toEqual(['checkuser', 'startuse', 'checkmachine', 'checkmachine']);
      expect(sut.activeUser).toBe('aabbccd1');
    });

    it('lets only level 2 in while maintenance is due, and records maintenance on a long tap', async () => {
      const { sut, actions } = setUp(backend({ checkmachine: () => answers.machine({ maintenance: true }) }));
      await settle(sut.tap('deadbeef'));

      expect(await settle(sut.tap('aabbccd1'))).toBe('maintenance');
      expect(await settle(sut.tap('aabbccd2', { long: true }))).toBe('started');
      expect(actions().slice(2)).toEqual([
        'checkuser',
        'checkmachine',
        'checkuser',
        'maintenance',
        'startuse',
        'checkmachine',
      ]);
    });

    it('refuses everybody on a blocked machine, staff included', async () => {
      const { sut } = setUp(backend({ checkmachine: () => answers.machine({ allowed: false }) }));
      await settle(sut.tap('deadbeef'));

      expect(await settle(sut.tap('aabbccd2'))).toBe('blocked');
    });

    it('sends checkmachine every refresh period, inuse with the seconds since login while in use, alive every 2 min', async () => {
      const { sut, published, actions } = setUp();
      sut.connected();
      const tap = sut.tap('aabbccd1');
      await jest.advanceTimersByTimeAsync(120_100);
      expect(await tap).toBe('started');

      expect(actions()[0]).toBe('alive');
      expect(actions().filter((a) => a === 'alive')).toHaveLength(2);
      expect(actions().filter((a) => a !== 'alive')).toEqual([
        'checkuser',
        'startuse',
        'checkmachine',
        ...['checkmachine', 'inuse', 'checkmachine', 'inuse', 'checkmachine', 'inuse', 'checkmachine', 'inuse'],
      ]);
      expect(published.filter((p) => p.includes('inuse'))).toEqual([
        '{"action":"inuse", "uid":"aabbccd1","duration":30}',
        '{"action":"inuse", "uid":"aabbccd1","duration":60}',
        '{"action":"inuse", "uid":"aabbccd1","duration":90}',
        '{"action":"inuse", "uid":"aabbccd1","duration":120}',
      ]);
      await sut.close();
    });
  });

  describe('reply discipline', () => {
    it('takes the next message on the reply topic as the answer and reports its latency', async () => {
      const { sut, latencies } = setUp();
      await settle(sut.tap('aabbccd1'));

      expect(latencies).toEqual([REPLY_DELAY_MS, REPLY_DELAY_MS, REPLY_DELAY_MS]);
    });

    it('counts a reply that nothing waits for as extra (a reply to alive, a second reply)', async () => {
      const { sut } = setUp(backend({ alive: () => answers.simple }));
      sut.connected();
      await jest.advanceTimersByTimeAsync(10);
      sut.receive('machine/101/reply', JSON.stringify(answers.simple));

      expect(sut.stats()).toMatchObject({ extra: 2, replies: 0 });
      await sut.close();
    });

    it('counts an answer of the wrong type as mismatched (a late reply taken for the next request)', async () => {
      const { sut } = setUp(backend({ checkmachine: () => answers.simple }));
      await settle(sut.tap('deadbeef'));

      expect(sut.stats()).toMatchObject({ replies: 2, mismatched: 1 });
    });

    it('waits 2 s, then counts the backend down for 45 s: no query goes out, and a late reply is counted late, not extra', async () => {
      let silent = true;
      const { sut, actions } = setUp((request) => (silent ? undefined : backend()(request)));
      await jest.advanceTimersByTimeAsync(0);
      const tap = sut.tap('aabbccd1');
      await jest.advanceTimersByTimeAsync(TIMINGS.replyTimeoutMs - 1);
      expect(sut.online).toBe(true);
      await jest.advanceTimersByTimeAsync(1);
      expect(sut.online).toBe(false);
      expect(await settle(tap, 0)).toBe('refused');

      sut.receive('machine/101/reply', JSON.stringify(answers.user(1)));
      silent = false;
      await settle(sut.tap('aabbccd1'));
      expect(actions()).toEqual(['checkuser']);
      expect(sut.stats()).toMatchObject({ timeouts: 1, late: 1, extra: 0, failed: 3 });
      expect(sut.missing).toBe(0);

      await jest.advanceTimersByTimeAsync(TIMINGS.failFastMs);
      expect(await settle(sut.tap('aabbccd1'))).toBe('started');
    });

    it('loses what arrives during a simulated outage', async () => {
      const { sut } = setUp();
      sut.loseMessagesFor(3_000);
      await settle(sut.tap('aabbccd1'));

      expect(sut.stats()).toMatchObject({ lost: 1, timeouts: 1, replies: 0 });
      expect(sut.missing).toBe(1);
    });
  });

  describe('buffering and replay', () => {
    it('buffers a stop whose reply was lost and replays it with "replay":true before the next query once the backend is back', async () => {
      const { sut, published } = setUp();
      await settle(sut.tap('aabbccd1'));
      await jest.advanceTimersByTimeAsync(30_000 - 10_000);
      sut.loseMessagesFor(1_000);
      await settle(sut.tap('aabbccd1'), 2_500);
      expect(sut.bufferedCount).toBe(1);

      await jest.advanceTimersByTimeAsync(TIMINGS.failFastMs);
      await settle(sut.tap('aabbccd2'));

      expect(published.slice(3)).toEqual([
        '{"action":"stopuse", "uid":"aabbccd1","duration":30}',
        '{"action":"stopuse", "uid":"aabbccd1","duration":30, "replay":true}',
        '{"action":"checkuser", "uid":"aabbccd2"}',
        '{"action":"startuse", "uid":"aabbccd2"}',
        '{"action":"checkmachine"}',
      ]);
      expect(sut.bufferedCount).toBe(0);
      expect(sut.stats()).toMatchObject({ replayed: 1, buffered: 1, timeouts: 1 });
    });

    it('while the backend is down, logs a cached card in and queues its start and stop, replayed in order', async () => {
      let silent = false;
      const { sut, published } = setUp((request) => (silent ? undefined : backend()(request)));
      await settle(sut.tap('aabbccd1'));
      await settle(sut.tap('aabbccd1'));
      silent = true;
      await settle(sut.tap('aabbccd2'));
      expect(sut.online).toBe(false);

      expect(await settle(sut.tap('aabbccd1'))).toBe('started');
      expect(await settle(sut.tap('aabbccd1'))).toBe('stopped');
      expect(await settle(sut.tap('deadbeef'))).toBe('refused');
      silent = false;
      await jest.advanceTimersByTimeAsync(TIMINGS.failFastMs);
      await settle(sut.tap('aabbccd2'));

      const sentAfterOutage = published.slice(published.indexOf('{"action":"checkuser", "uid":"aabbccd2"}') + 1);
      expect(sentAfterOutage).toEqual([
        '{"action":"startuse", "uid":"aabbccd1", "replay":true}',
        '{"action":"stopuse", "uid":"aabbccd1","duration":10, "replay":true}',
        '{"action":"checkuser", "uid":"aabbccd2"}',
        '{"action":"startuse", "uid":"aabbccd2"}',
        '{"action":"checkmachine"}',
      ]);
    });

    it('keeps the 40 most recent buffered requests, dropping the oldest', async () => {
      const { sut, published, link } = setUp();
      await settle(sut.tap('aabbccd1'));
      link.connected = false;
      for (let i = 0; i < BUFFER_CAPACITY / 2 + 1; i++) {
        await settle(sut.tap('aabbccd1'), 1_000);
        await settle(sut.tap('aabbccd1'), 1_000);
      }
      expect(sut.bufferedCount).toBe(BUFFER_CAPACITY);
      expect(sut.stats()).toMatchObject({ buffered: BUFFER_CAPACITY + 2, bufferDropped: 2 });
      link.connected = true;
      const before = published.length;
      await settle(sut.tap('aabbccd1'));

      const replayed = published.slice(before, before + BUFFER_CAPACITY).map((p) => JSON.parse(p) as Request);
      expect(replayed.every((r) => r.replay === true)).toBe(true);
      expect(replayed.map((r) => r.action)).toEqual(
        Array.from({ length: BUFFER_CAPACITY }, (_, i) => (i % 2 ? 'startuse' : 'stopuse')),
      );
      expect(replayed[0].duration).toBe(1);
    });

    it('adds the replay flag once, before the closing brace', () => {
      expect(withReplayFlag('{"action":"startuse", "uid":"aabbccd3"}')).toBe(
        '{"action":"startuse", "uid":"aabbccd3", "replay":true}',
      );
      expect(withReplayFlag('{"action":"startuse", "uid":"aabbccd3", "replay":true}')).toBe(
        '{"action":"startuse", "uid":"aabbccd3", "replay":true}',
      );
    });
  });

  describe('remote commands', () => {
    it('on start, stops the current user, then checks and starts the requested card', async () => {
      const { sut, actions } = setUp();
      await settle(sut.tap('aabbccd1'));
      sut.receive('machine/101/request', '{"request_type":"start","uid":"AABBCCD2"}');
      await jest.advanceTimersByTimeAsync(1_000);

      expect(actions().slice(3)).toEqual(['stopuse', 'checkuser', 'startuse']);
      expect(sut.activeUser).toBe('aabbccd2');
    });

    it('on stop, stops the active user, and ignores commands it does not know', async () => {
      const { sut, published } = setUp();
      await settle(sut.tap('aabbccd2'));
      sut.receive('machine/101/request', '{"request_type":"reboot"}');
      sut.receive('machine/101/request', 'not json');
      sut.receive('machine/101/request', '{"request_type":"stop","uid":"aabbccd1"}');
      await jest.advanceTimersByTimeAsync(1_000);

      expect(published.slice(3)).toEqual(['{"action":"stopuse", "uid":"aabbccd2","duration":10}']);
      expect(sut.activeUser).toBeUndefined();
      expect(sut.stats().commands).toBe(1);
    });
  });
});
