import { LEAK_SITES } from './gas-sensors.js';
import { AXIS_NAMES, type AxisName } from './simulator-messages.js';

/** The Modbus ids of the eight welding machines of the original CMTI plant. */
export const DEFAULT_WELDING_CODES = ['7G', '7H', '7J', '7K', '7L', '27C', '27D', '27E'] as const;

export interface PlantSimulatorOptions {
  /** Same seed (and start time) → same messages. */
  seed: number;
  /** Epoch ms of the first sample; every `ts` is on a fixed grid from here. */
  startTime: number;
  rootTopic: string;

  cncCount: number;
  /** Explicit CNC codes (e.g. the original 81258856…); when set, they decide the count. */
  cncCodes?: readonly string[];
  /** Generated codes are `<prefix>01`, `<prefix>02`, … */
  cncCodePrefix: string;
  axes: readonly AxisName[];
  axesHz: number;
  maxVelocity: number;
  maxAcceleration: number;
  /** Targets are chosen within ±positionLimit. */
  positionLimit: number;
  toolSampleIntervalMs: number;
  toolChangeMeanIntervalMs: number;
  toolCapacity: number;
  /** Mean time between homing runs (all axes `homed: false` while they return to 0). */
  homingMeanIntervalMs: number;

  weldingCount: number;
  /** Explicit welding codes; by default the original 7G … 27E, extended with `weld-09`, … beyond eight. */
  weldingCodes?: readonly string[];
  weldingHz: number;
  /** Divides the welding state durations (OFF/IDLE/PRODUCTION) and the spacing of out-of-standard episodes. */
  weldingSpeed: number;
  /** Mean production time between two out-of-standard episodes, before the speed factor. */
  outOfStandardMeanIntervalMs: number;

  /** FAB-O-MATIC RFID boards (PROTOCOLS.md section B), one per machine. */
  boardCount: number;
  /** Explicit board machine codes (numbers 0…65535); by default 101, 102, … */
  boardCodes?: readonly string[];
  /** The boards' root topic; the firmware hard-codes `machine`. */
  boardRootTopic: string;
  /** Card holders tapping on the boards. */
  cardHolderCount: number;
  /** Divides the times between taps and the length of uses (not the firmware's periods). */
  boardSpeed: number;

  /** Leak-detection sites (gas-sensors.ts LEAK_SITES, 0 to all of them): templates with gas sensors. */
  leakSiteCount: number;
  /**
   * Milliseconds between two readings of a gas sensor. Real sensors read every 10 minutes
   * (600000); the simulator compresses time so that a day of readings (a window of 144) passes
   * in minutes and its planted leaks show up soon after a start.
   */
  leakReadingIntervalMs: number;
}

export type ResolvedSimulatorOptions = Omit<PlantSimulatorOptions, 'cncCodes' | 'weldingCodes' | 'boardCodes'> & {
  cncCodes: readonly string[];
  weldingCodes: readonly string[];
  boardCodes: readonly string[];
};

export const DEFAULT_SIMULATOR_OPTIONS: Readonly<Omit<PlantSimulatorOptions, 'startTime'>> = {
  seed: 1,
  rootTopic: 'plant',
  cncCount: 20,
  cncCodePrefix: 'cnc-',
  axes: AXIS_NAMES,
  axesHz: 10,
  maxVelocity: 60,
  maxAcceleration: 200,
  positionLimit: 190,
  toolSampleIntervalMs: 5_000,
  toolChangeMeanIntervalMs: 60_000,
  toolCapacity: 24,
  homingMeanIntervalMs: 30 * 60_000,
  weldingCount: DEFAULT_WELDING_CODES.length,
  weldingHz: 1,
  weldingSpeed: 1,
  outOfStandardMeanIntervalMs: 10 * 60_000,
  boardCount: 6,
  boardRootTopic: 'machine',
  cardHolderCount: 12,
  boardSpeed: 1,
  leakSiteCount: 0,
  leakReadingIntervalMs: 1_000,
};

/** Generated board codes are FIRST_BOARD_CODE, FIRST_BOARD_CODE + 1, … */
const FIRST_BOARD_CODE = 101;
const MAX_CARD_HOLDERS = 10_000;

export const MAX_MACHINES_PER_KIND = 1000;
export const MIN_LEAK_READING_INTERVAL_MS = 10;
/** Real time: one reading every 10 minutes. */
export const MAX_LEAK_READING_INTERVAL_MS = 600_000;
export const MAX_RATE_HZ = 100;

export class SimulatorOptionsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid simulator options:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SimulatorOptionsError';
  }
}

/** A code is one topic level that also reads well in a URL or a log line. */
const CODE = /^[A-Za-z0-9._-]{1,64}$/;

/** Fills in the defaults and checks everything at once; throws SimulatorOptionsError naming every problem. */
export function resolveSimulatorOptions(options: Partial<PlantSimulatorOptions> = {}): ResolvedSimulatorOptions {
  const merged = { ...DEFAULT_SIMULATOR_OPTIONS, startTime: Date.now(), ...withoutUndefined(options) };
  const problems: string[] = [];
  const check = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };

  check(
    Number.isInteger(merged.seed) && merged.seed >= 0 && merged.seed <= 0xffffffff,
    'seed: an integer 0…4294967295',
  );
  check(Number.isSafeInteger(merged.startTime) && merged.startTime >= 0, 'startTime: epoch milliseconds');
  check(isTopicPrefix(merged.rootTopic), 'rootTopic: topic levels without wildcards, e.g. "plant"');

  const cncCodes = resolveCodes('cnc', options.cncCodes, merged.cncCount, options.cncCount !== undefined, (i, n) =>
    generatedCode(merged.cncCodePrefix, i, n),
  );
  const weldingCodes = resolveCodes(
    'welding',
    options.weldingCodes,
    merged.weldingCount,
    options.weldingCount !== undefined,
    (i, n) => DEFAULT_WELDING_CODES[i] ?? generatedCode('weld-', i, n),
  );
  const boardCodes = resolveCodes(
    'board',
    options.boardCodes,
    merged.boardCount,
    options.boardCount !== undefined,
    (i) => String(FIRST_BOARD_CODE + i),
  );
  problems.push(...cncCodes.problems, ...weldingCodes.problems, ...boardCodes.problems);
  const all = [...cncCodes.codes, ...weldingCodes.codes, ...boardCodes.codes];
  const bad = all.filter((code) => !CODE.test(code));
  check(bad.length === 0, `codes: letters, digits, '.', '_' or '-' only, 1–64 characters (bad: ${bad.join(', ')})`);
  const duplicates = all.filter((code, i) => all.indexOf(code) !== i);
  check(duplicates.length === 0, `codes: must be unique (repeated: ${[...new Set(duplicates)].join(', ')})`);
  check(
    all.length > 0 || merged.leakSiteCount > 0,
    'nothing to simulate: cncCount, weldingCount, boardCount and leakSiteCount are all 0',
  );
  const notBoardIds = boardCodes.codes.filter((code) => !/^\d{1,5}$/.test(code) || Number(code) > 65_535);
  check(notBoardIds.length === 0, `boardCodes: numbers 0…65535, a board's machine id (bad: ${notBoardIds.join(', ')})`);
  check(isTopicPrefix(merged.boardRootTopic), 'boardRootTopic: topic levels without wildcards, e.g. "machine"');
  check(
    Number.isInteger(merged.cardHolderCount) &&
      merged.cardHolderCount >= 0 &&
      merged.cardHolderCount <= MAX_CARD_HOLDERS,
    `cardHolderCount: an integer 0…${MAX_CARD_HOLDERS}`,
  );
  check(isPositive(merged.boardSpeed) && merged.boardSpeed <= 1000, 'boardSpeed: a number in (0, 1000]');
  check(
    Number.isInteger(merged.leakSiteCount) && merged.leakSiteCount >= 0 && merged.leakSiteCount <= LEAK_SITES.length,
    `leakSiteCount: an integer 0…${LEAK_SITES.length}`,
  );
  check(
    Number.isInteger(merged.leakReadingIntervalMs) &&
      merged.leakReadingIntervalMs >= MIN_LEAK_READING_INTERVAL_MS &&
      merged.leakReadingIntervalMs <= MAX_LEAK_READING_INTERVAL_MS,
    `leakReadingIntervalMs: an integer ${MIN_LEAK_READING_INTERVAL_MS}…${MAX_LEAK_READING_INTERVAL_MS} (600000: real time)`,
  );

  check(
    merged.axes.length > 0 &&
      merged.axes.every((axis) => (AXIS_NAMES as readonly string[]).includes(axis)) &&
      new Set(merged.axes).size === merged.axes.length,
    `axes: a non-empty subset of ${AXIS_NAMES.join(', ')} without repeats`,
  );
  check(isRate(merged.axesHz), `axesHz: a number in (0, ${MAX_RATE_HZ}]`);
  check(isRate(merged.weldingHz), `weldingHz: a number in (0, ${MAX_RATE_HZ}]`);
  check(isPositive(merged.maxVelocity), 'maxVelocity: a positive number');
  check(isPositive(merged.maxAcceleration), 'maxAcceleration: a positive number');
  check(isPositive(merged.positionLimit), 'positionLimit: a positive number');
  check(isPositive(merged.toolSampleIntervalMs) && merged.toolSampleIntervalMs >= 10, 'toolSampleIntervalMs: ≥ 10');
  check(isPositive(merged.toolChangeMeanIntervalMs), 'toolChangeMeanIntervalMs: a positive number');
  check(Number.isInteger(merged.toolCapacity) && merged.toolCapacity >= 1, 'toolCapacity: an integer ≥ 1');
  check(isPositive(merged.homingMeanIntervalMs), 'homingMeanIntervalMs: a positive number');
  check(isPositive(merged.weldingSpeed) && merged.weldingSpeed <= 1000, 'weldingSpeed: a number in (0, 1000]');
  check(isPositive(merged.outOfStandardMeanIntervalMs), 'outOfStandardMeanIntervalMs: a positive number');
  if (problems.length) throw new SimulatorOptionsError(problems);

  return {
    ...merged,
    cncCount: cncCodes.codes.length,
    cncCodes: cncCodes.codes,
    weldingCount: weldingCodes.codes.length,
    weldingCodes: weldingCodes.codes,
    boardCount: boardCodes.codes.length,
    boardCodes: boardCodes.codes,
  };
}

function resolveCodes(
  kind: 'cnc' | 'welding' | 'board',
  explicit: readonly string[] | undefined,
  count: number,
  countGiven: boolean,
  generate: (index: number, count: number) => string,
): { codes: string[]; problems: string[] } {
  if (explicit) {
    const problems =
      countGiven && count !== explicit.length
        ? [`${kind}Count: ${count} but ${explicit.length} ${kind}Codes given; give one or make them agree`]
        : [];
    return { codes: [...explicit], problems };
  }
  if (!Number.isInteger(count) || count < 0 || count > MAX_MACHINES_PER_KIND)
    return { codes: [], problems: [`${kind}Count: an integer 0…${MAX_MACHINES_PER_KIND}`] };
  return { codes: Array.from({ length: count }, (_, i) => generate(i, count)), problems: [] };
}

/** `cnc-01` … `cnc-20`: zero-padded so that the codes sort as they are numbered. */
function generatedCode(prefix: string, index: number, count: number): string {
  return `${prefix}${String(index + 1).padStart(Math.max(2, String(count).length), '0')}`;
}

function isTopicPrefix(topic: string): boolean {
  return (
    typeof topic === 'string' && topic.length > 0 && topic.split('/').every((l) => l.length > 0 && !/[+#\0]/.test(l))
  );
}

function isPositive(value: number): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

function isRate(value: number): boolean {
  return isPositive(value) && value <= MAX_RATE_HZ;
}

/** Spreading `{ x: undefined }` over defaults would erase them. */
export function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
