import { describe, expect, it } from '@jest/globals';
import { PlantSimulator } from './plant-simulator.js';
import type { ElectricalPayload, SimulatorMessage, ToolPayload } from './simulator-messages.js';
import { DEFAULT_WELDING_CODES, SimulatorOptionsError } from './simulator-options.js';

const T0 = Date.UTC(2026, 0, 5, 6, 0, 0);
const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

function run(options: ConstructorParameters<typeof PlantSimulator>[0], durationMs: number): SimulatorMessage[] {
  return new PlantSimulator({ startTime: T0, ...options }).advanceTo(T0 + durationMs);
}

function payloadsOf<K extends SimulatorMessage['kind']>(messages: SimulatorMessage[], kind: K, code?: string) {
  return messages
    .filter((m) => m.kind === kind && (code === undefined || m.code === code))
    .map((m) => m.payload) as Extract<SimulatorMessage, { kind: K }>['payload'][];
}

/** The JSON types of a payload's fields, recursively: {"ts": "number", "axes": {…}}. */
function shapeOf(value: unknown): unknown {
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shapeOf(v)]));
  return typeof value;
}

/** What a reader of the wire sees: the JSON text, parsed back. */
function onTheWire(message: SimulatorMessage): Record<string, unknown> {
  return JSON.parse(JSON.stringify(message.payload)) as Record<string, unknown>;
}

describe('PlantSimulator', () => {
  describe('messages (PROTOCOLS.md section A)', () => {
    const sut = new PlantSimulator({ seed: 3, startTime: T0 });
    const messages = sut.advanceTo(T0 + 30 * SECOND);

    it('publishes on plant/machines/{code}/{electrical|axes|tool} for the default plant', () => {
      const cncCodes = Array.from({ length: 20 }, (_, i) => `cnc-${String(i + 1).padStart(2, '0')}`);
      const topics = new Set(messages.map((m) => m.topic));
      expect(topics).toEqual(
        new Set([
          ...cncCodes.flatMap((code) => [`plant/machines/${code}/axes`, `plant/machines/${code}/tool`]),
          ...DEFAULT_WELDING_CODES.map((code) => `plant/machines/${code}/electrical`),
        ]),
      );
      for (const m of messages) expect(m.topic).toBe(`plant/machines/${m.code}/${m.kind}`);
    });

    it('sends electrical samples as {ts, current, voltage} with numbers', () => {
      for (const m of messages.filter((x) => x.kind === 'electrical')) {
        const payload = onTheWire(m);
        expect(Object.keys(payload).sort()).toEqual(['current', 'ts', 'voltage']);
        for (const value of Object.values(payload)) expect(typeof value).toBe('number');
      }
    });

    it('sends one axes message per machine and tick with every axis as {actual, target, velocity, acceleration, homed}', () => {
      const axesMessages = messages.filter((x) => x.kind === 'axes');
      expect(axesMessages).toHaveLength(20 * 301);
      // One assertion over distinct shapes: per-sample expect() calls would take seconds here.
      const shapes = new Set(axesMessages.map((m) => JSON.stringify(shapeOf(onTheWire(m)))));
      expect([...shapes].map((shape) => JSON.parse(shape))).toEqual([
        {
          ts: 'number',
          axes: Object.fromEntries(
            ['X', 'Y', 'Z', 'A', 'C'].map((name) => [
              name,
              { actual: 'number', target: 'number', velocity: 'number', acceleration: 'number', homed: 'boolean' },
            ]),
          ),
        },
      ]);
    });

    it('sends tool samples with toolOffset and feedrate, and toolInUse on the first sample and on changes', () => {
      const tools = messages.filter((x) => x.kind === 'tool').map(onTheWire);
      for (const payload of tools) {
        expect(['feedrate', 'toolInUse', 'toolOffset', 'ts']).toEqual(expect.arrayContaining(Object.keys(payload)));
        expect(Object.keys(payload)).toEqual(expect.arrayContaining(['ts', 'toolOffset', 'feedrate']));
        for (const value of Object.values(payload)) expect(typeof value).toBe('number');
      }
      for (const code of sut.machines.filter((m) => m.kind === 'cnc').map((m) => m.code))
        expect(payloadsOf(messages, 'tool', code)[0].toolInUse).toBeDefined();
    });

    it('stamps every message with epoch milliseconds on the sampling grid, in time order', () => {
      const stamps = messages.map((m) => m.payload.ts);
      expect(stamps.every(Number.isInteger)).toBe(true);
      expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
      expect(new Set(payloadsOf(messages, 'axes', 'cnc-01').map((p) => p.ts - T0))).toEqual(
        new Set(Array.from({ length: 301 }, (_, i) => i * 100)),
      );
      expect(payloadsOf(messages, 'electrical', '7G').map((p) => p.ts - T0)).toEqual(
        Array.from({ length: 31 }, (_, i) => i * SECOND),
      );
    });

    it('samples tools every 5 s by default, staggered between machines', () => {
      const first = payloadsOf(messages, 'tool', 'cnc-01').map((p) => p.ts - T0);
      expect(first).toEqual([0, 5, 10, 15, 20, 25, 30].map((s) => s * SECOND));
      expect(payloadsOf(messages, 'tool', 'cnc-11')[0].ts - T0).toBe(2_500);
    });
  });

  describe('configuration', () => {
    it('uses the configured root topic, codes, axes and rates', () => {
      const messages = run(
        {
          rootTopic: 'site-a/hall-2',
          cncCodes: ['81258856', '81258857'],
          axes: ['X', 'Z'],
          axesHz: 2,
          weldingCodes: ['W1'],
          weldingHz: 4,
          toolSampleIntervalMs: 1_000,
        },
        10 * SECOND,
      );
      expect(new Set(messages.map((m) => m.topic))).toEqual(
        new Set([
          'site-a/hall-2/machines/81258856/axes',
          'site-a/hall-2/machines/81258856/tool',
          'site-a/hall-2/machines/81258857/axes',
          'site-a/hall-2/machines/81258857/tool',
          'site-a/hall-2/machines/W1/electrical',
        ]),
      );
      const axes = payloadsOf(messages, 'axes', '81258856');
      expect(axes).toHaveLength(21);
      expect(Object.keys(axes[0].axes)).toEqual(['X', 'Z']);
      expect(payloadsOf(messages, 'electrical', 'W1')).toHaveLength(41);
      expect(payloadsOf(messages, 'tool', '81258856')).toHaveLength(11);
    });

    it('generates CNC codes from a prefix and extends the welding codes beyond the original eight', () => {
      const sut = new PlantSimulator({ startTime: T0, cncCount: 3, cncCodePrefix: 'M', weldingCount: 10 });
      expect(sut.machines.map((m) => m.code)).toEqual([
        'M01',
        'M02',
        'M03',
        ...DEFAULT_WELDING_CODES,
        'weld-09',
        'weld-10',
      ]);
    });

    it('describes every machine for the registry: CNC machines with their axes and limits, welding machines with their capacity', () => {
      const sut = new PlantSimulator({ startTime: T0, cncCount: 1, weldingCount: 1, maxVelocity: 50 });
      expect(sut.machines).toEqual([
        {
          kind: 'cnc',
          code: 'cnc-01',
          name: expect.any(String),
          model: expect.any(String),
          maker: expect.any(String),
          capacityAmps: expect.any(Number),
          toolCapacity: 24,
          axes: ['X', 'Y', 'Z', 'A', 'C'].map((name) => ({ name, maxVelocity: 50, maxAcceleration: 200 })),
        },
        {
          kind: 'welding',
          code: '7G',
          name: expect.any(String),
          model: expect.any(String),
          maker: expect.any(String),
          capacityAmps: 400,
        },
      ]);
    });

    it('refuses bad options with every problem named', () => {
      const attempt = () =>
        new PlantSimulator({
          startTime: T0,
          cncCount: -1,
          axesHz: 0,
          axes: ['X', 'X'],
          weldingCodes: ['7G', 'bad/code', '7G'],
          rootTopic: 'plant/#',
        });
      expect(attempt).toThrow(SimulatorOptionsError);
      try {
        attempt();
      } catch (e) {
        const problems = (e as SimulatorOptionsError).problems.join('\n');
        for (const name of ['cncCount', 'axesHz', 'axes', 'rootTopic', 'bad/code', 'repeated: 7G'])
          expect(problems).toContain(name);
      }
      expect(() => new PlantSimulator({ startTime: T0, cncCount: 0, weldingCount: 0, boardCount: 0 })).toThrow(
        /nothing to simulate/,
      );
      expect(() => new PlantSimulator({ startTime: T0, cncCount: 2, cncCodes: ['a'] })).toThrow(/cncCount/);
    });
  });

  describe('determinism', () => {
    const options = { seed: 42, cncCount: 3, weldingCount: 3 };

    it('gives the same messages for the same seed, however the clock advances', () => {
      const once = run(options, 2 * MINUTE);
      const stepped = new PlantSimulator({ startTime: T0, ...options });
      const inSteps: SimulatorMessage[] = [];
      for (let t = T0; t <= T0 + 2 * MINUTE; t += 37) inSteps.push(...stepped.advanceTo(t));
      inSteps.push(...stepped.advanceTo(T0 + 2 * MINUTE));
      expect(inSteps).toEqual(once);
    });

    it('gives other messages for another seed', () => {
      expect(run({ ...options, seed: 43 }, MINUTE)).not.toEqual(run(options, MINUTE));
    });

    it("keeps a machine's readings when other machines are added", () => {
      const alone = run({ ...options, cncCount: 0 }, MINUTE).filter((m) => m.code === '7G');
      const withOthers = run({ ...options, cncCount: 10 }, MINUTE).filter((m) => m.code === '7G');
      expect(withOthers).toEqual(alone);
    });

    it('skips what fell due while the driver was away, and goes on from there', () => {
      const sut = new PlantSimulator({ startTime: T0, ...options });
      sut.advanceTo(T0 + SECOND);
      sut.skipTo(T0 + HOUR);
      const after = sut.advanceTo(T0 + HOUR + SECOND);
      expect(after.length).toBeGreaterThan(0);
      expect(after.every((m) => m.payload.ts > T0 + HOUR && m.payload.ts <= T0 + HOUR + SECOND)).toBe(true);
      expect(sut.nextDueTime()).toBeGreaterThan(T0 + HOUR + SECOND);
    });
  });

  describe('CNC machines', () => {
    const options = { seed: 5, cncCount: 4, weldingCount: 0, homingMeanIntervalMs: 5 * MINUTE };
    const messages = run(options, 20 * MINUTE);
    const codes = ['cnc-01', 'cnc-02', 'cnc-03', 'cnc-04'];

    it('moves every axis within the limits: |velocity| ≤ 60, |acceleration| ≤ 200, positions and targets within ±190', () => {
      const axes = payloadsOf(messages, 'axes').flatMap((p) => Object.values(p.axes));
      const extreme = (field: 'velocity' | 'acceleration' | 'actual' | 'target') =>
        axes.reduce((worst, axis) => Math.max(worst, Math.abs(axis![field])), 0);
      expect(extreme('velocity')).toBeLessThanOrEqual(60);
      expect(extreme('acceleration')).toBeLessThanOrEqual(200);
      expect(extreme('actual')).toBeLessThanOrEqual(190);
      expect(extreme('target')).toBeLessThanOrEqual(190);
    });

    it('moves smoothly: each position follows from the previous one and the velocity', () => {
      let worstPosition = 0;
      let worstVelocity = 0;
      for (const code of codes) {
        const samples = payloadsOf(messages, 'axes', code);
        for (let i = 1; i < samples.length; i++)
          for (const name of ['X', 'Y', 'Z', 'A', 'C'] as const) {
            const [before, after] = [samples[i - 1].axes[name]!, samples[i].axes[name]!];
            worstPosition = Math.max(worstPosition, Math.abs(after.actual - before.actual - after.velocity * 0.1));
            worstVelocity = Math.max(
              worstVelocity,
              Math.abs(after.velocity - before.velocity - after.acceleration * 0.1),
            );
          }
      }
      // Within the 3-decimal rounding of the payload.
      expect(worstPosition).toBeLessThan(0.002);
      expect(worstVelocity).toBeLessThan(0.002);
    });

    it('reaches its targets and then gets new ones now and then', () => {
      for (const code of codes) {
        const xs = payloadsOf(messages, 'axes', code).map((p) => p.axes.X!);
        const targets = new Set(xs.map((x) => x.target));
        expect(targets.size).toBeGreaterThan(50);
        expect(xs.filter((x) => x.actual === x.target && x.velocity === 0).length).toBeGreaterThan(xs.length / 10);
        expect(xs.some((x) => Math.abs(x.velocity) === 60)).toBe(true);
      }
    });

    it('is homed most of the time, and homes to 0 with homed false now and then', () => {
      const axes = payloadsOf(messages, 'axes').flatMap((p) => Object.values(p.axes));
      const unhomed = axes.filter((a) => !a!.homed);
      expect(unhomed.length).toBeGreaterThan(0);
      expect(unhomed.length / axes.length).toBeLessThan(0.05);
      expect(unhomed.every((a) => a!.target === 0)).toBe(true);
    });

    it('samples plausible tools: offsets 5–40, feed rates 0–20000, tools 1–24 that change now and then', () => {
      for (const code of codes) {
        const tools = payloadsOf(messages, 'tool', code) as ToolPayload[];
        expect(tools.length).toBeGreaterThanOrEqual(240);
        for (const tool of tools) {
          expect(tool.toolOffset).toBeGreaterThanOrEqual(5);
          expect(tool.toolOffset).toBeLessThanOrEqual(40);
          expect(tool.feedrate).toBeGreaterThanOrEqual(0);
          expect(tool.feedrate).toBeLessThanOrEqual(20_000);
        }
        const changes = tools.filter((t) => t.toolInUse !== undefined).map((t) => t.toolInUse!);
        expect(changes.length).toBeGreaterThan(5);
        expect(changes.length).toBeLessThan(60);
        for (const tool of changes) expect(Number.isInteger(tool) && tool >= 1 && tool <= 24).toBe(true);
        for (let i = 1; i < changes.length; i++) expect(changes[i]).not.toBe(changes[i - 1]);
      }
    });
  });

  describe('welding machines', () => {
    type Observed = 'OFF' | 'IDLE' | 'PRODUCTION' | 'HIGH' | 'LOW';
    /** The state as the readings tell it, with the bands of machine-monitoring.md. */
    function observed({ current, voltage }: ElectricalPayload): Observed {
      if (current === 0 && voltage === 0) return 'OFF';
      if (current >= 20 && current <= 60 && voltage >= 10 && voltage <= 20) return 'IDLE';
      if (current > 300) return 'HIGH';
      if (current < 180) return 'LOW';
      if (current <= 270 && voltage >= 15 && voltage <= 35) return 'PRODUCTION';
      throw new Error(`unexpected reading ${current} A / ${voltage} V`);
    }
    /** Consecutive samples in one observed state: [state, samples]. */
    function segments(samples: ElectricalPayload[]): [Observed, number][] {
      const result: [Observed, number][] = [];
      for (const sample of samples) {
        const state = observed(sample);
        if (result.at(-1)?.[0] === state) result.at(-1)![1]++;
        else result.push([state, 1]);
      }
      return result;
    }
    const messages = run({ seed: 1, cncCount: 0 }, HOUR);

    it('cycles every machine through OFF, IDLE and PRODUCTION within an hour, with realistic durations', () => {
      for (const code of DEFAULT_WELDING_CODES) {
        const found = segments(payloadsOf(messages, 'electrical', code));
        expect(found.map(([state]) => state)).toEqual(expect.arrayContaining(['OFF', 'IDLE', 'PRODUCTION']));
        const inner = found.slice(1, -1).filter(([state]) => state === 'OFF' || state === 'IDLE');
        // Tens of seconds to minutes (at 1 Hz, one sample per second).
        for (const [, seconds] of inner) expect(seconds).toBeGreaterThanOrEqual(10);
        for (const [, seconds] of inner) expect(seconds).toBeLessThanOrEqual(300);
      }
    });

    it('goes OFF → IDLE → PRODUCTION: never from OFF straight into a weld, never from a weld straight to OFF', () => {
      for (const code of DEFAULT_WELDING_CODES) {
        const states = segments(payloadsOf(messages, 'electrical', code)).map(([state]) => state);
        for (let i = 1; i < states.length; i++) {
          if (states[i - 1] === 'OFF') expect(states[i]).toBe('IDLE');
          if (states[i] === 'OFF') expect(states[i - 1]).toBe('IDLE');
        }
      }
    });

    it('has out-of-standard episodes of a few seconds, above 300 A or below the band, while welding', () => {
      const episodes = DEFAULT_WELDING_CODES.flatMap((code) =>
        segments(payloadsOf(messages, 'electrical', code)).filter(([state]) => state === 'HIGH' || state === 'LOW'),
      );
      expect(episodes.length).toBeGreaterThanOrEqual(1);
      expect(new Set(episodes.map(([state]) => state))).toEqual(new Set(['HIGH', 'LOW']));
      for (const [, seconds] of episodes) expect(seconds).toBeLessThanOrEqual(8);
    });

    it('reads 0 A / 0 V when off, 20–60 A / 10–20 V when idle, 180–270 A / 15–35 V when welding', () => {
      const readings = payloadsOf(messages, 'electrical');
      expect(readings).toHaveLength(8 * 3601);
      const states = new Set(readings.map(observed));
      expect([...states].sort()).toEqual(['HIGH', 'IDLE', 'LOW', 'OFF', 'PRODUCTION']);
    });

    it('compresses the cycle by the speed factor', () => {
      const changes = (speed: number) =>
        segments(payloadsOf(run({ seed: 1, cncCount: 0, weldingCount: 1, weldingSpeed: speed }, HOUR), 'electrical'))
          .length;
      expect(changes(10)).toBeGreaterThan(5 * changes(1));
    });

    it('tells its true state, which the readings show', () => {
      const sut = new PlantSimulator({ seed: 9, startTime: T0, cncCount: 0 });
      for (let t = T0; t < T0 + 10 * MINUTE; t += 10 * SECOND) {
        const readings = new Map(sut.advanceTo(t).map((m) => [m.code, m.payload as ElectricalPayload]));
        for (const status of sut.weldingStatus()) {
          const state = observed(readings.get(status.code)!);
          expect(status.outOfStandard ? ['HIGH', 'LOW'] : [status.state]).toContain(state);
        }
      }
    });
  });

  describe('RFID boards (PROTOCOLS.md section B)', () => {
    it('plans six boards on machines 101…106 of a type without authorisation, and twelve card holders', () => {
      const { boards } = new PlantSimulator({ seed: 3, startTime: T0 });

      expect(boards.rootTopic).toBe('machine');
      expect(boards.machines.map((m) => m.code)).toEqual(['101', '102', '103', '104', '105', '106']);
      expect(boards.machineType.needsAuthorization).toBe(false);
      expect(boards.cardHolders).toHaveLength(12);
      for (const holder of boards.cardHolders) {
        expect(holder.cardUid).toMatch(/^[0-9a-f]{8}$/);
        expect(holder.role).toBe('member');
      }
      const cards = [...boards.cardHolders.map((h) => h.cardUid), ...boards.unknownCards];
      expect(new Set(cards).size).toBe(cards.length);
      expect(new Set(boards.cardHolders.map((h) => h.email)).size).toBe(12);
    });

    it('gives the same cards for the same seed, and other cards for another', () => {
      const cards = (seed: number) => new PlantSimulator({ seed, startTime: T0 }).boards.cardHolders;

      expect(cards(5)).toEqual(cards(5));
      expect(cards(6).map((h) => h.cardUid)).not.toEqual(cards(5).map((h) => h.cardUid));
    });

    it('takes explicit board codes and a count of card holders; none with --boards 0', () => {
      const sut = new PlantSimulator({ startTime: T0, boardCodes: ['7', '65535'], cardHolderCount: 2 });
      expect(sut.boards.machines.map((m) => m.code)).toEqual(['7', '65535']);
      expect(sut.boards.cardHolders).toHaveLength(2);
      expect(new PlantSimulator({ startTime: T0, boardCount: 0 }).boards.machines).toEqual([]);
      expect(() => new PlantSimulator({ startTime: T0, boardCodes: ['7A'] })).toThrow(/boardCodes: numbers/);
    });
  });
});
