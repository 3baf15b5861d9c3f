/**
 * Generated hostile MQTT traffic for every inbound topic (PROTOCOLS.md A and B), reproducible
 * from a seed. Every message is one the contract says to refuse without an answer, whatever
 * the implementation's own extra rules: a payload breaks the contract itself (not JSON, the
 * wrong shape, a required field missing or of the wrong type, a number that is not finite,
 * a `ts` that is no time, a uid that is not 8 hex characters, an unknown action, too large),
 * or a well-formed board request is sent where no board talks (an id that is not all
 * digits, a `/reply` or `/request` topic). Payloads the contract leaves open (an empty
 * batch, a tool reading with no field, a `ts` before 2000, a uid with blanks around it)
 * are never generated: the test asserts that every routed message is rejected.
 */

export interface Random {
  next(): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
}

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return { next, int, pick: (items) => items[int(0, items.length - 1)], chance: (p) => next() < p };
}

export interface Targets {
  plantRoot: string;
  accessRoot: string;
  /** A registered machine's code, all digits: its telemetry and its board topics are both fuzzed. */
  code: string;
  /** Above MQTT_MAX_PAYLOAD_BYTES. */
  tooLargeBytes: number;
}

export interface HostileMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
  /** Whether the service subscribes to the topic, i.e. must receive and reject the message. */
  routed: boolean;
  /** The generator that made it, for a failure message. */
  kind: string;
}

const KINDS = ['electrical', 'axes', 'tool'] as const;
type Kind = (typeof KINDS)[number];

/** Topic levels a device should never use as a machine code; the topic itself stays valid MQTT. */
const HOSTILE_LEVELS = ['', ' ', '..', '%00', '$SYS', '机器-1', '🔥', "' OR 1=1 --", 'a'.repeat(400)];
/** Board ids that are not all digits: no board, so no reply, whatever the payload. */
const NOT_DIGITS = ['', 'abc', '12a', 'a12', '-12', '1.5', '12 ', '0x1f', 'machine'];
/** Stands for a literal that JSON.stringify cannot write (1e999 parses to Infinity). */
const HUGE_NUMBER = '__HUGE_NUMBER__';
const NOT_FINITE = ['NaN', 'Infinity', '-Infinity', HUGE_NUMBER] as const;
const WRONG_TYPES: unknown[] = [true, false, '12.5', '', [], [1], {}, { value: 1 }, 'x'.repeat(2000)];
const NOT_A_TIME: unknown[] = [
  'yesterday',
  'NaN',
  'Infinity',
  '',
  '1700000000000',
  '2026-13-01T00:00:00Z',
  '2026-02-30T10:00:00Z',
  '2026-01-01T25:61:00Z',
  true,
  {},
  [],
  HUGE_NUMBER,
];
const NOT_A_UID: unknown[] = [
  '',
  'zzzzzzzz',
  'aabbccd',
  'aabbccdd1',
  'aabb ccdd',
  '0xaabbcc',
  'ääääääää',
  '../../..',
  "'; DROP TABLE users;--",
  'aabbccdd\u0000',
  12345678,
  null,
  true,
  [],
  {},
];
const UNKNOWN_ACTIONS: unknown[] = [
  'reboot',
  'delete',
  'checkmachines',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '',
  'check\u0000user',
  'x'.repeat(5000),
  1,
  null,
  true,
  [],
  ['checkmachine'],
  {},
];
const UID_ACTIONS = ['checkuser', 'startuse', 'inuse', 'stopuse', 'maintenance'];

export function hostileMessages(random: Random, targets: Targets, count: number): HostileMessage[] {
  const generators: Array<[weight: number, make: (r: Random, t: Targets) => HostileMessage]> = [
    [40, telemetryMessage],
    [30, boardMessage],
    [12, misplacedBoardRequest],
    [0.5, tooLarge],
  ];
  const total = generators.reduce((sum, [weight]) => sum + weight, 0);
  return Array.from({ length: count }, () => {
    let roll = random.next() * total;
    for (const [weight, make] of generators) if ((roll -= weight) < 0) return make(random, targets);
    return generators[0][1](random, targets);
  });
}

/** Telemetry for the registered machine (or a hostile code): a payload that breaks section A. */
function telemetryMessage(r: Random, t: Targets): HostileMessage {
  const kind = r.pick(KINDS);
  const code = r.chance(0.85) ? t.code : r.pick(HOSTILE_LEVELS);
  const [name, body] = r.chance(0.5) ? brokenReading(r, kind) : junk(r);
  const topic = `${t.plantRoot}/machines/${code}/${kind}`;
  return {
    topic,
    payload: Buffer.from(body),
    qos: qosFor(topic, r.chance(0.8) ? 1 : 0),
    routed: forwarded(topic),
    kind: `${kind}: ${name}`,
  };
}

/** A board request the contract refuses, on the registered machine's board or another id. */
function boardMessage(r: Random, t: Targets): HostileMessage {
  const id = r.pick([t.code, t.code, t.code, `9${t.code}`, r.pick(NOT_DIGITS)]);
  const [name, body] = r.chance(0.6) ? brokenRequest(r) : junk(r);
  const topic = `${t.accessRoot}/${id}`;
  return {
    topic,
    payload: Buffer.from(body),
    qos: qosFor(topic, r.chance(0.8) ? 0 : 1),
    routed: forwarded(topic),
    kind: `board ${id.slice(0, 12)}: ${name}`,
  };
}

/** A firmware-perfect request where no board listens: an id that is not all digits, or a reply/request topic. */
function misplacedBoardRequest(r: Random, t: Targets): HostileMessage {
  const uid = hexUid(r);
  const request = r.pick([
    '{"action":"checkmachine"}',
    `{"action":"checkuser", "uid":"${uid}"}`,
    `{"action":"startuse", "uid":"${uid}"}`,
    `{"action":"stopuse", "uid":"${uid}","duration":45}`,
    '{"action":"synccache"}',
  ]);
  const [topic, routed] = r.pick<[string, boolean]>([
    [`${t.accessRoot}/${r.pick(NOT_DIGITS)}`, true],
    [`${t.accessRoot}/${t.code}/reply`, false],
    [`${t.accessRoot}/${t.code}/request`, false],
    [`${t.accessRoot}/${t.code}/reply/extra`, false],
  ]);
  return {
    topic,
    payload: Buffer.from(request),
    qos: 0,
    routed: routed && forwarded(topic),
    kind: `misplaced request on ${topic}`,
  };
}

function tooLarge(r: Random, t: Targets): HostileMessage {
  const size = t.tooLargeBytes + r.int(1, 300_000);
  const sample = `{"current":1.5,"voltage":230},`;
  const body = `[${sample.repeat(Math.ceil(size / sample.length))}{"current":1,"voltage":2}]`;
  const topic = r.chance(0.5) ? `${t.plantRoot}/machines/${t.code}/electrical` : `${t.accessRoot}/${t.code}`;
  return { topic, payload: Buffer.from(body), qos: 1, routed: true, kind: `${body.length} bytes on ${topic}` };
}

/** Payloads no inbound topic takes: not JSON, binary, empty, not an object, deep, junk arrays. */
function junk(r: Random): [string, string | Buffer] {
  switch (r.int(0, 8)) {
    case 0:
      return ['empty', ''];
    case 1: {
      // 0xff is never valid UTF-8: decoded, it starts the text with U+FFFD, which no JSON starts with.
      const bytes = Buffer.alloc(r.int(1, 2048));
      for (let i = 0; i < bytes.length; i++) bytes[i] = r.int(0, 255);
      bytes[0] = 0xff;
      return ['binary', bytes];
    }
    case 2:
      return ['truncated JSON', r.pick(['{"current":', '{"action":"checkuser","uid":"aab', '[{"a":1},', '{', '"'])];
    case 3:
      return ['not JSON', r.pick(["{'current':1}", '{current:1}', '{"current":NaN}', '{"action":checkmachine}', 'x'])];
    case 4:
      return ['JSON then garbage', `${r.pick(['{"current":1,"voltage":2}', '{"action":"checkmachine"}'])}}x`];
    case 5:
      return ['a JSON scalar', r.pick(['null', 'true', '0', '"checkmachine"', '1e999', '-1'])];
    case 6: {
      const depth = r.int(1_000, 40_000);
      return r.chance(0.5)
        ? [`${depth} nested arrays`, `${'['.repeat(depth)}${']'.repeat(depth)}`]
        : [`${depth} nested objects`, `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`];
    }
    case 7: {
      const items = Array.from({ length: r.int(1, 3_000) }, () => r.pick([1, 'x', null, true, [], [[]]]));
      return ['an array of junk', JSON.stringify(items)];
    }
    default:
      return ['a lone JSON string of control characters', JSON.stringify('\u0000\u0001\u001f\u2028\ud800')];
  }
}

/** A reading of the right kind with one field broken (missing, of the wrong type, not finite, no time). */
function brokenReading(r: Random, kind: Kind): [string, string] {
  const ts = new Date().toISOString();
  const axis = { actual: 1, target: 2, velocity: 3, acceleration: 4, homed: true };
  let name: string;
  let reading: Record<string, unknown>;
  if (r.chance(0.25)) {
    const readings = {
      electrical: { ts, current: 1, voltage: 2 },
      axes: { ts, axes: { X: axis } },
      tool: { ts, toolInUse: 1 },
    };
    reading = { ...readings[kind], ts: r.pick(NOT_A_TIME) };
    name = 'ts is no time';
  } else if (kind === 'electrical') {
    const field = r.pick(['current', 'voltage']);
    const bad = r.chance(0.2) ? undefined : r.pick([...NOT_FINITE, ...WRONG_TYPES]);
    reading = { ts, current: 1.5, voltage: 230, [field]: bad };
    name = `${field} ${bad === undefined ? 'missing' : 'wrong'}`;
  } else if (kind === 'axes') {
    const field = r.pick(['actual', 'target', 'velocity', 'acceleration', 'homed', 'X', 'axes']);
    const bad = r.chance(0.2) ? undefined : r.pick([...NOT_FINITE, ...WRONG_TYPES, 5]);
    if (field === 'axes') reading = { ts, axes: r.pick([null, [], 'X', 5, true]) };
    else if (field === 'X') reading = { ts, axes: { X: r.pick([5, 'fast', [], true]) } };
    else reading = { ts, axes: { X: { ...axis, [field]: field === 'homed' ? r.pick(['true', 1, 0, null]) : bad } } };
    name = `axes ${field} broken`;
  } else {
    const field = r.pick(['toolInUse', 'toolOffset', 'feedrate']);
    reading = { ts, [field]: r.pick([...NOT_FINITE, ...WRONG_TYPES]) };
    name = `${field} wrong`;
  }
  // An own "__proto__" key, as JSON.parse makes it: a reader that merges objects naively gets a new prototype.
  if (r.chance(0.1))
    Object.defineProperty(reading, '__proto__', { value: { current: 1, voltage: 2 }, enumerable: true });
  // A well-formed batch of such readings is as broken as one of them.
  const body = r.chance(0.2) ? [reading, reading] : reading;
  return [name, JSON.stringify(body).replaceAll(`"${HUGE_NUMBER}"`, '1e999')];
}

/** A board request the contract refuses: no or unknown action, no uid, a uid or duration of the wrong kind, alive without its fields. */
function brokenRequest(r: Random): [string, string] {
  const uidAction = r.pick(UID_ACTIONS);
  const cases: Array<() => [string, Record<string, unknown> | unknown[]]> = [
    () => ['no action', r.pick<Record<string, unknown>>([{}, { uid: hexUid(r) }, { Action: 'checkmachine' }])],
    () => ['unknown action', { action: r.pick(UNKNOWN_ACTIONS), uid: hexUid(r) }],
    () => [`${uidAction} without uid`, { action: uidAction }],
    () => [`${uidAction} with a bad uid`, { action: uidAction, uid: r.pick(NOT_A_UID), duration: 5 }],
    () => {
      const action = r.pick(['inuse', 'stopuse']);
      const duration = r.chance(0.2) ? undefined : r.pick([...NOT_FINITE, ...WRONG_TYPES, null]);
      return [`${action} with a bad duration`, { action, uid: hexUid(r), duration }];
    },
    () => [
      'alive without version or ip',
      r.pick([{ action: 'alive', ip: '10.0.0.1' }, { action: 'alive', version: 1, ip: {} }, { action: 'alive' }]),
    ],
    () => ['a request in an array', [{ action: 'checkmachine' }]],
  ];
  const [name, request] = r.pick(cases)();
  return [name, JSON.stringify(request).replaceAll(`"${HUGE_NUMBER}"`, '1e999')];
}

/**
 * Whether the broker hands the message to the service at all: the embedded broker does not
 * forward topics with an empty level (aedes 1.2 would drop the subscriber's connection on a
 * QoS 1 one; src/shared/embedded/embedded-broker.ts); Mosquitto (MQTT_URL) does.
 */
function forwarded(topic: string): boolean {
  return Boolean(process.env.MQTT_URL) || !topic.split('/').includes('');
}

/** QoS 0 for a topic with an empty level: the QoS 1 case has a test of its own (hostile-mqtt.e2e-spec.ts). */
function qosFor(topic: string, wanted: 0 | 1): 0 | 1 {
  return topic.split('/').includes('') ? 0 : wanted;
}

function hexUid(r: Random): string {
  return Array.from({ length: 8 }, () => r.int(0, 15).toString(16)).join('');
}
