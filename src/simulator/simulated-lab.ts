import { SeededRandom } from './seeded-random.js';

/**
 * A small lab for the experiments context (PROTOCOLS.md section A): experiment `Lab1` with two
 * temperatures, a chamber pressure and a fan whose speed follows a writable set-point.
 *
 * Values go out as `{ts, value}` on `{root}/pv/Lab1/…` (the PV name with ':' → '/'); a set
 * arrives as plain text on `{pvSetPrefix}/Lab1/Fan/SpeedSetpoint`, as setPv publishes it. The
 * fan approaches a new set-point to first order (time constant FAN_TAU_MS: 63 % of the step
 * after one, 95 % after three), and the coolant temperature follows the fan. Now and then
 * (seeded, SeededRandom) the reactor overheats and the chamber pressure dips, each well past
 * the PV's seeded default thresholds, for a few readings: threshold subscriptions then have
 * something to report.
 *
 * No I/O here: `sample(ts)` gives the readings due at `ts`, `applySet` takes a set's text, so
 * that the same seed and times give the same values (simulated-lab.spec.ts).
 */

export const LAB_EXPERIMENT = 'Lab1';
export const LAB_DISPLAY_NAME = 'Simulated lab (reactor with cooling fan)';

/** What the service registers for a lab PV: the fields of createPv. */
export interface LabPvPlan {
  name: string;
  displayName: string;
  unit: string;
  writable: boolean;
  thresholdMin: number;
  thresholdMax: number;
  setMin: number | null;
  setMax: number | null;
}

export const LAB_PVS = {
  reactorTemperature: {
    name: 'Lab1:Reactor:Temperature',
    displayName: 'Reactor temperature',
    unit: '°C',
    writable: false,
    thresholdMin: 40,
    thresholdMax: 75,
    setMin: null,
    setMax: null,
  },
  coolantTemperature: {
    name: 'Lab1:Cooling:Temperature',
    displayName: 'Coolant temperature',
    unit: '°C',
    writable: false,
    thresholdMin: 5,
    thresholdMax: 45,
    setMin: null,
    setMax: null,
  },
  chamberPressure: {
    name: 'Lab1:Chamber:Pressure',
    displayName: 'Chamber pressure',
    unit: 'mbar',
    writable: false,
    thresholdMin: 950,
    thresholdMax: 1050,
    setMin: null,
    setMax: null,
  },
  fanSpeed: {
    name: 'Lab1:Fan:Speed',
    displayName: 'Cooling fan speed',
    unit: 'rpm',
    writable: false,
    thresholdMin: 200,
    thresholdMax: 3200,
    setMin: null,
    setMax: null,
  },
  fanSetpoint: {
    name: 'Lab1:Fan:SpeedSetpoint',
    displayName: 'Cooling fan speed set-point',
    unit: 'rpm',
    writable: true,
    thresholdMin: 0,
    thresholdMax: 3000,
    setMin: 0,
    setMax: 3000,
  },
} as const satisfies Record<string, LabPvPlan>;

export const LAB_PV_PLANS: readonly LabPvPlan[] = Object.values(LAB_PVS);

/** The fan's first-order time constant. */
export const FAN_TAU_MS = 2_000;
const INITIAL_SETPOINT = 1200;
/** Readings between two excursions, on average; each lasts EXCURSION_READINGS. */
const EXCURSION_MEAN_READINGS = 120;
const EXCURSION_READINGS = 6;

export interface LabReading {
  pvName: string;
  value: number;
}

export class SimulatedLab {
  private readonly random: SeededRandom;
  private setpoint = INITIAL_SETPOINT;
  private fanSpeed = INITIAL_SETPOINT;
  private lastTs?: number;
  private n = 0;
  private nextExcursion: number;
  private excursion?: { kind: 'overheat' | 'pressureDrop'; until: number };

  constructor(seed: number) {
    this.random = SeededRandom.derive(seed, `lab/${LAB_EXPERIMENT}`);
    this.nextExcursion = this.excursionGap();
  }

  get fanSetpoint(): number {
    return this.setpoint;
  }

  /**
   * A set published for one of the lab's PVs (by PV name). Only the set-point is writable; a
   * text that is not a number, or a number out of its range, is refused (false) as the device
   * would, and the set-point stays.
   */
  applySet(pvName: string, text: string): boolean {
    if (pvName !== LAB_PVS.fanSetpoint.name) return false;
    const trimmed = text.trim();
    const value = trimmed === '' ? NaN : Number(trimmed);
    const { setMin, setMax } = LAB_PVS.fanSetpoint;
    if (!Number.isFinite(value) || value < setMin || value > setMax) return false;
    this.setpoint = value;
    return true;
  }

  /** Every lab PV's reading at `ts` (called on a grid; times must not go backwards). */
  sample(ts: number): LabReading[] {
    const dt = this.lastTs === undefined ? 0 : Math.max(0, ts - this.lastTs);
    this.lastTs = ts;
    const n = this.n++;
    // First order: the gap to the set-point shrinks by e^(-dt/τ) per step, plus a little jitter.
    this.fanSpeed = this.setpoint + (this.fanSpeed - this.setpoint) * Math.exp(-dt / FAN_TAU_MS);
    this.advanceExcursion(n);
    const overheat = this.excursion?.kind === 'overheat';
    const pressureDrop = this.excursion?.kind === 'pressureDrop';
    const slow = Math.sin((2 * Math.PI * n) / 600);
    const reactor = 60 + 5 * slow + 0.4 * this.random.normal() + (overheat ? 22 : 0);
    // More air, cooler coolant: 40 °C with the fan off, about 16 °C at full speed.
    const coolant = 40 - (this.fanSpeed / 3000) * 24 + 0.3 * this.random.normal();
    const pressure = 1000 + 8 * slow + 1.5 * this.random.normal() - (pressureDrop ? 80 : 0);
    const fan = Math.max(0, this.fanSpeed + 3 * this.random.normal());
    return [
      { pvName: LAB_PVS.reactorTemperature.name, value: round(reactor, 2) },
      { pvName: LAB_PVS.coolantTemperature.name, value: round(coolant, 2) },
      { pvName: LAB_PVS.chamberPressure.name, value: round(pressure, 1) },
      { pvName: LAB_PVS.fanSpeed.name, value: round(fan, 0) },
      { pvName: LAB_PVS.fanSetpoint.name, value: this.setpoint },
    ];
  }

  private advanceExcursion(n: number): void {
    if (this.excursion && n >= this.excursion.until) this.excursion = undefined;
    if (!this.excursion && n >= this.nextExcursion) {
      this.excursion = { kind: this.random.chance(0.5) ? 'overheat' : 'pressureDrop', until: n + EXCURSION_READINGS };
      this.nextExcursion = n + this.excursionGap();
    }
  }

  private excursionGap(): number {
    return EXCURSION_READINGS + Math.round(this.random.exponential(EXCURSION_MEAN_READINGS));
  }
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** `Lab1/Fan/SpeedSetpoint` (the levels after the set prefix) → `Lab1:Fan:SpeedSetpoint`. */
export function labPvOfSetTopic(prefix: string, topic: string): string | undefined {
  if (!topic.startsWith(`${prefix}/${LAB_EXPERIMENT}/`)) return undefined;
  return topic.slice(prefix.length + 1).replaceAll('/', ':');
}

export function labValueTopic(root: string, pvName: string): string {
  return `${root}/pv/${pvName.replaceAll(':', '/')}`;
}
