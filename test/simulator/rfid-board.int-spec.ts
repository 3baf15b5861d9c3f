import { randomBytes, randomInt } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import { connectAsync, type MqttClient } from 'mqtt';
import { BoardFleet, planBoardFleet } from '../../src/simulator/board-fleet.js';
import { PlantSimulator } from '../../src/simulator/plant-simulator.js';
import { RfidBoard, type BoardTimings } from '../../src/simulator/rfid-board.js';
import { BoardConnection } from '../../src/simulator/rfid-board-connection.js';
import { SimulatorRunner } from '../../src/simulator/simulator-runner.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * The board model on a real broker (embedded aedes, or the machine's one when MQTT_URL is
 * set) against a tiny fake backend: a plain mqtt.js client on `<root>/+` that answers each
 * request on `<root>/<id>/reply` as the protocol says, never `alive`, and can be told to
 * stay silent. Every test has a root topic of its own, so that the services of other test
 * files (on `machine/+`) never see these boards.
 */
const BROKER_URL = process.env.TEST_MQTT_URL!;
/** Fast enough for a test, slow enough that a loaded machine still answers in time. */
const TIMINGS: BoardTimings = { replyTimeoutMs: 1_000, failFastMs: 1_500, refreshMs: 60_000, aliveMs: 60_000 };
const KNOWN_CARDS: Record<string, number> = { aabbccd1: 1, aabbccd2: 2 };

interface Request {
  topic: string;
  text: string;
  body: Record<string, unknown>;
}

const closers: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

function replyTo(body: Record<string, unknown>): Record<string, unknown> | undefined {
  switch (body.action) {
    case 'checkuser': {
      const level = KNOWN_CARDS[body.uid as string] ?? 0;
      return { request_ok: true, is_valid: level > 0, name: level ? 'Ada' : 'Unknown', missing_auth: false, level };
    }
    case 'checkmachine':
      return {
        request_ok: true,
        is_valid: true,
        maintenance: false,
        allowed: true,
        name: 'LASER 1',
        logoff: 0,
        type: 1,
        grace: 1,
        description: '',
      };
    case 'stopuse':
      return { request_ok: true, message: `Duration ${body.duration} seconds` };
    case 'alive':
      return undefined;
    default:
      return { request_ok: true, message: '' };
  }
}

/** The fake backend: `requests` is what it received, in order; `silent(n)` drops its next n replies. */
async function fakeBackend(root: string) {
  const requests: Request[] = [];
  let drop = 0;
  const client: MqttClient = await connectAsync(BROKER_URL, { protocolVersion: 4, clean: true, reconnectPeriod: 0 });
  closers.push(() => client.endAsync(true));
  client.on('message', (topic, payload) => {
    const text = payload.toString();
    const body = JSON.parse(text) as Record<string, unknown>;
    requests.push({ topic, text, body });
    const reply = replyTo(body);
    if (!reply) return;
    if (drop > 0) drop--;
    else client.publish(`${topic}/reply`, JSON.stringify(reply), { qos: 0 });
  });
  await client.subscribeAsync(`${root}/+`, { qos: 0 });
  return {
    client,
    requests,
    actions: () => requests.map((r) => r.body.action),
    silent: (n: number) => void (drop = n),
  };
}

async function board(root: string, timings: Partial<BoardTimings> = TIMINGS): Promise<RfidBoard> {
  const sut = new RfidBoard({ machineId: '101', rootTopic: root, clientNumber: randomInt(1_000_000), timings });
  const connection = await BoardConnection.open(sut, BROKER_URL);
  closers.push(() => connection.close());
  return sut;
}

const uniqueRoot = () => `rfid-test-${randomBytes(4).toString('hex')}`;

describe('RfidBoard on a real broker', () => {
  it('announces itself, then plays a tap cycle with exactly one reply per request and none for alive', async () => {
    const root = uniqueRoot();
    const backend = await fakeBackend(root);
    const sut = await board(root);
    await waitFor(() => backend.requests.length >= 1, { what: 'alive' });

    expect(await sut.tap('aabbccd1')).toBe('started');
    expect(await sut.tap('deadbeef')).toBe('busy');
    expect(await sut.tap('aabbccd1')).toBe('stopped');
    expect(await sut.tap('deadbeef')).toBe('refused');

    expect(backend.requests[0].topic).toBe(`${root}/101`);
    expect(backend.requests[0].body).toEqual({
      action: 'alive',
      version: 'hardware-rev0-it_IT,1.0.1',
      ip: '192.168.1.50',
      serial: 'dcda0c419794',
      heap: '123456',
    });
    expect(backend.actions().slice(1)).toEqual([
      ...['checkuser', 'startuse', 'checkmachine', 'checkmachine'],
      ...['stopuse', 'checkmachine', 'checkuser', 'checkmachine'],
    ]);
    expect(backend.requests.find((r) => r.body.action === 'stopuse')!.text).toMatch(
      /^\{"action":"stopuse", "uid":"aabbccd1","duration":\d+\}$/,
    );
    expect(sut.stats()).toMatchObject({ replies: 8, extra: 0, late: 0, timeouts: 0, mismatched: 0 });
  });

  it('buffers a stop whose reply is lost, then replays it with "replay":true before the next query', async () => {
    const root = uniqueRoot();
    const backend = await fakeBackend(root);
    const sut = await board(root);
    await sut.tap('aabbccd1');
    backend.silent(1);

    expect(await sut.tap('aabbccd1')).toBe('stopped');
    expect(sut.bufferedCount).toBe(1);
    expect(sut.online).toBe(false);
    await waitFor(() => sut.online, { what: 'the end of the fail-fast window' });
    expect(await sut.tap('aabbccd2')).toBe('started');

    const texts = backend.requests.map((r) => r.text);
    const live = texts.findIndex((t) => t.startsWith('{"action":"stopuse"'));
    expect(texts[live + 1]).toBe(texts[live].replace(/}$/, ', "replay":true}'));
    expect(backend.requests[live + 1].body).toMatchObject({ action: 'stopuse', uid: 'aabbccd1', replay: true });
    expect(backend.actions().slice(live + 2)).toEqual(['checkuser', 'startuse', 'checkmachine']);
    expect(sut.bufferedCount).toBe(0);
    expect(sut.stats()).toMatchObject({ timeouts: 1, replayed: 1, extra: 0 });
  });

  it('obeys remote start and stop commands on its request topic with its ordinary traffic', async () => {
    const root = uniqueRoot();
    const backend = await fakeBackend(root);
    const sut = await board(root);
    await sut.tap('aabbccd1');
    const before = backend.requests.length;

    backend.client.publish(`${root}/101/request`, '{"request_type":"start","uid":"aabbccd2"}');
    await waitFor(() => sut.activeUser === 'aabbccd2', { what: 'the remote start' });
    backend.client.publish(`${root}/101/request`, '{"request_type":"stop","uid":"aabbccd2"}');
    await waitFor(() => backend.requests.length - before === 4 && !sut.activeUser, { what: 'the remote stop' });

    expect(backend.requests.slice(before).map((r) => [r.body.action, r.body.uid])).toEqual([
      ['stopuse', 'aabbccd1'],
      ['checkuser', 'aabbccd2'],
      ['startuse', 'aabbccd2'],
      ['stopuse', 'aabbccd2'],
    ]);
  });

  it('sends checkmachine, and inuse while in use, every refresh period', async () => {
    const root = uniqueRoot();
    const backend = await fakeBackend(root);
    const sut = await board(root, { ...TIMINGS, refreshMs: 100 });
    await sut.tap('aabbccd1');

    await waitFor(() => backend.actions().filter((a) => a === 'inuse').length >= 3, { what: 'three inuse' });
    const inuse = backend.requests.filter((r) => r.body.action === 'inuse').map((r) => r.body);
    for (const body of inuse) expect(body).toEqual({ action: 'inuse', uid: 'aabbccd1', duration: expect.any(Number) });
    expect(sut.stats()).toMatchObject({ extra: 0, timeouts: 0 });
  });
});

describe('BoardFleet', () => {
  it('drives seeded card holders: uses with heartbeats, unknown cards, and stops replayed after an outage', async () => {
    const root = uniqueRoot();
    const plan = planBoardFleet({ seed: 4, codes: ['201', '202', '203'], cardHolderCount: 3, rootTopic: root });
    const backend = await fakeBackend(root);
    Object.assign(KNOWN_CARDS, Object.fromEntries(plan.cardHolders.map((h) => [h.cardUid, 1])));
    const sut = new BoardFleet(plan, {
      url: BROKER_URL,
      seed: 4,
      clientNumberBase: randomInt(1_000_000),
      timings: { ...TIMINGS, refreshMs: 50 },
      behaviour: {
        idleMeanMs: 20,
        useMinMs: 120,
        useMaxMs: 200,
        unknownCardProbability: 0.3,
        outageProbability: 0.5,
        outageMs: 300,
      },
    });
    closers.push(() => sut.stop());
    await sut.start();

    const seen = (predicate: (r: Request) => boolean) => backend.requests.some(predicate);
    await waitFor(
      () =>
        seen((r) => r.body.action === 'stopuse' && r.body.replay === true) &&
        seen((r) => r.body.action === 'inuse') &&
        seen((r) => r.body.action === 'checkuser' && plan.unknownCards.includes(r.body.uid as string)),
      { timeoutMs: 30_000, what: 'a replayed stop, a heartbeat and an unknown card' },
    );
    await sut.stop();

    const topics = new Set(backend.requests.map((r) => r.topic));
    expect([...topics].sort()).toEqual([`${root}/201`, `${root}/202`, `${root}/203`]);
    expect(backend.requests.filter((r) => r.body.action === 'alive')).toHaveLength(3);
    const stats = sut.stats();
    expect(stats).toMatchObject({ boards: 3, extra: 0, mismatched: 0 });
    expect(stats.replayed).toBeGreaterThan(0);
  });
});

describe('SimulatorRunner with boards', () => {
  it('puts the plan’s boards on the broker next to the telemetry', async () => {
    const root = uniqueRoot();
    const backend = await fakeBackend(root);
    const simulator = new PlantSimulator({
      startTime: Date.now(),
      cncCount: 0,
      weldingCount: 0,
      boardCodes: [String(30_000 + randomInt(30_000))],
      boardRootTopic: root,
    });
    const sut = new SimulatorRunner(simulator, {
      url: BROKER_URL,
      progressIntervalMs: 0,
      logger: { info: () => undefined, warn: () => undefined },
    });
    closers.push(() => sut.stop());
    await sut.start();

    await waitFor(() => backend.requests.some((r) => r.body.action === 'alive'), { what: 'the board’s alive' });
    expect(sut.boardStats()).toMatchObject({ boards: 1, connected: 1 });
  });
});
