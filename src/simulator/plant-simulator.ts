import { planBoardFleet, type BoardFleetPlan } from './board-fleet.js';
import { CncMachine } from './cnc-machine.js';
import { DEFAULT_PLANTED_LEAK, GasSensor, LEAK_SITES, type LeakSitePlan } from './gas-sensors.js';
import { SeededRandom } from './seeded-random.js';
import { machineTopic, sensorTopic, type AxisName, type SimulatorMessage } from './simulator-messages.js';
import {
  resolveSimulatorOptions,
  type PlantSimulatorOptions,
  type ResolvedSimulatorOptions,
} from './simulator-options.js';
import { WeldingMachine, type WeldingState } from './welding-machine.js';

/** What the service needs to register a simulated machine before its telemetry is accepted. */
interface MachineRegistrationBase {
  code: string;
  name: string;
  model: string;
  maker: string;
  capacityAmps: number;
}

export interface CncMachineRegistration extends MachineRegistrationBase {
  kind: 'cnc';
  axes: { name: AxisName; maxVelocity: number; maxAcceleration: number }[];
  /** Pockets in the tool magazine: `toolInUse` is 1…toolCapacity. */
  toolCapacity: number;
}

export interface WeldingMachineRegistration extends MachineRegistrationBase {
  kind: 'welding';
}

export type SimulatedMachine = CncMachineRegistration | WeldingMachineRegistration;

export interface WeldingStatus {
  code: string;
  state: WeldingState;
  outOfStandard: boolean;
}

/** A periodic source of messages: its n-th firing is due at startTime + offset + round(n·period). */
interface Stream {
  offsetMs: number;
  periodMs: number;
  n: number;
  fire(ts: number, n: number): SimulatorMessage[];
}

const MAKER = 'Plantgraph simulator';
/** A 5-axis machining centre is typically fed through a 63 A supply. */
const CNC_CAPACITY_AMPS = 63;
/** Welding rectifiers for the 180–270 A band are rated 400 A (and can spike past 300 A). */
const WELDING_CAPACITY_AMPS = 400;

/**
 * The plant without any I/O: CNC machines and welding machines advanced on a fixed time
 * grid from `startTime`. `advanceTo(now)` returns every message due up to `now`, in time
 * order, each with its scheduled `ts`; the same seed and start time give the same messages
 * however the calls are spaced, so a test can drive it with a fake clock.
 */
export class PlantSimulator {
  readonly options: ResolvedSimulatorOptions;
  readonly machines: readonly SimulatedMachine[];
  /** The RFID boards' machines and card holders; the runner puts the boards on the broker. */
  readonly boards: BoardFleetPlan;
  /** The leak-detection sites (fields, templates, gas sensors) the service must know before their readings are accepted. */
  readonly leakSites: readonly LeakSitePlan[];
  private readonly cnc: CncMachine[];
  private readonly gasSensors: GasSensor[];
  private readonly welding: WeldingMachine[];
  private readonly streams: Stream[] = [];

  constructor(options: Partial<PlantSimulatorOptions> = {}) {
    this.options = resolveSimulatorOptions(options);
    const o = this.options;
    this.cnc = o.cncCodes.map(
      (code) => new CncMachine(code, SeededRandom.derive(o.seed, `cnc/${code}`), o, o.startTime),
    );
    const weldingPeriodMs = 1000 / o.weldingHz;
    this.welding = o.weldingCodes.map(
      (code) =>
        new WeldingMachine(
          code,
          SeededRandom.derive(o.seed, `welding/${code}`),
          {
            samplePeriodMs: weldingPeriodMs,
            speed: o.weldingSpeed,
            outOfStandardMeanIntervalMs: o.outOfStandardMeanIntervalMs,
          },
          o.startTime,
        ),
    );
    this.machines = [
      ...this.cnc.map((m) => this.cncRegistration(m.code)),
      ...this.welding.map((m) => this.weldingRegistration(m.code)),
    ];
    this.boards = planBoardFleet({
      seed: o.seed,
      codes: o.boardCodes,
      cardHolderCount: o.cardHolderCount,
      rootTopic: o.boardRootTopic,
    });
    this.leakSites = LEAK_SITES.slice(0, o.leakSiteCount);
    this.gasSensors = this.leakSites.flatMap((site) =>
      site.sensors.map((plan) => new GasSensor(plan, DEFAULT_PLANTED_LEAK)),
    );
    this.buildStreams(weldingPeriodMs);
  }

  /** When the next message is due (Infinity without telemetry): a driver sleeps until then. */
  nextDueTime(): number {
    return Math.min(...this.streams.map(dueTime(this.options.startTime)));
  }

  /** Every message due up to `now` not yet returned, in time order (ties in a fixed order: axes, tool, electrical). */
  advanceTo(now: number): SimulatorMessage[] {
    const due = dueTime(this.options.startTime);
    const messages: SimulatorMessage[] = [];
    for (;;) {
      let next: Stream | undefined;
      let nextAt = Infinity;
      for (const stream of this.streams) {
        const at = due(stream);
        if (at < nextAt) [next, nextAt] = [stream, at];
      }
      if (!next || nextAt > now) break;
      messages.push(...next.fire(nextAt, next.n));
      next.n++;
    }
    return messages;
  }

  /**
   * Jumps to `now` without producing what fell due meanwhile (a driver that was suspended
   * for minutes should not flood the broker). Machines resume where they were.
   */
  skipTo(now: number): void {
    const start = this.options.startTime;
    for (const stream of this.streams) {
      const behind = Math.ceil((now - start - stream.offsetMs) / stream.periodMs);
      stream.n = Math.max(stream.n, behind);
      while (dueTime(start)(stream) <= now) stream.n++;
    }
  }

  /** The welding machines' true state (what the service should infer from the readings). */
  weldingStatus(): WeldingStatus[] {
    return this.welding.map((m) => ({ code: m.code, state: m.state, outOfStandard: m.outOfStandard }));
  }

  private buildStreams(weldingPeriodMs: number): void {
    const o = this.options;
    if (this.cnc.length) {
      const periodMs = 1000 / o.axesHz;
      this.streams.push({
        offsetMs: 0,
        periodMs,
        n: 0,
        fire: (ts, n) =>
          this.cnc.map((m) => ({
            kind: 'axes',
            code: m.code,
            topic: machineTopic(o.rootTopic, m.code, 'axes'),
            payload: m.axesSample(ts, n === 0 ? undefined : periodMs / 1000),
          })),
      });
    }
    // Tool samples are staggered over the interval, as independent controllers would send them.
    this.cnc.forEach((m, index) =>
      this.streams.push({
        offsetMs: Math.round((index * o.toolSampleIntervalMs) / this.cnc.length),
        periodMs: o.toolSampleIntervalMs,
        n: 0,
        fire: (ts, n) => [
          {
            kind: 'tool',
            code: m.code,
            topic: machineTopic(o.rootTopic, m.code, 'tool'),
            payload: m.toolSample(ts, n === 0),
          },
        ],
      }),
    );
    if (this.welding.length)
      this.streams.push({
        offsetMs: 0,
        periodMs: weldingPeriodMs,
        n: 0,
        fire: (ts) =>
          this.welding.map((m) => ({
            kind: 'electrical',
            code: m.code,
            topic: machineTopic(o.rootTopic, m.code, 'electrical'),
            payload: m.sample(ts),
          })),
      });
    this.buildLeakStream();
  }

  private buildLeakStream(): void {
    const o = this.options;
    if (!this.gasSensors.length) return;
    this.streams.push({
      offsetMs: 0,
      periodMs: o.leakReadingIntervalMs,
      n: 0,
      fire: (ts, n) =>
        this.gasSensors.map((sensor) => ({
          kind: 'ppmv',
          code: sensor.plan.name,
          topic: sensorTopic(o.rootTopic, sensor.plan.name),
          payload: { ts, ppmv: sensor.reading(n) },
        })),
    });
  }

  private cncRegistration(code: string): CncMachineRegistration {
    const o = this.options;
    return {
      kind: 'cnc',
      code,
      name: `Machining centre ${code}`,
      model: `SIM-${o.axes.length}AX-${o.positionLimit * 2}`,
      maker: MAKER,
      capacityAmps: CNC_CAPACITY_AMPS,
      axes: o.axes.map((name) => ({ name, maxVelocity: o.maxVelocity, maxAcceleration: o.maxAcceleration })),
      toolCapacity: o.toolCapacity,
    };
  }

  private weldingRegistration(code: string): WeldingMachineRegistration {
    return {
      kind: 'welding',
      code,
      name: `Welding machine ${code}`,
      model: `SIM-WELD-${WELDING_CAPACITY_AMPS}`,
      maker: MAKER,
      capacityAmps: WELDING_CAPACITY_AMPS,
    };
  }
}

function dueTime(startTime: number): (stream: Stream) => number {
  return (stream) => startTime + stream.offsetMs + Math.round(stream.n * stream.periodMs);
}
