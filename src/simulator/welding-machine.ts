import type { SeededRandom } from './seeded-random.js';
import type { ElectricalPayload } from './simulator-messages.js';

export type WeldingState = 'OFF' | 'IDLE' | 'PRODUCTION';

export interface WeldingMachineOptions {
  samplePeriodMs: number;
  /** Divides the state durations and the spacing of out-of-standard episodes. */
  speed: number;
  outOfStandardMeanIntervalMs: number;
}

type Range = readonly [number, number];

/** How long each state lasts at speed 1 (uniform between the bounds). */
const DURATION_MS: Record<WeldingState, Range> = {
  OFF: [30_000, 300_000],
  IDLE: [10_000, 120_000],
  PRODUCTION: [20_000, 240_000],
};
/** After a weld the machine idles; after idling it welds again, or is switched off now and then. */
const SWITCH_OFF_PROBABILITY = 0.2;
/** A machine starts in one of the states, so that the plant looks busy from the first second. */
const INITIAL_STATE_WEIGHTS: readonly [WeldingState, number][] = [
  ['OFF', 0.25],
  ['IDLE', 0.35],
  ['PRODUCTION', 0.4],
];

/** Open-circuit readings of a switched-on machine between welds. */
const IDLE_CURRENT: Range = [20, 60];
const IDLE_VOLTAGE: Range = [10, 20];
const IDLE_SET_CURRENT: Range = [30, 50];
const IDLE_SET_VOLTAGE: Range = [12, 17];
/** The standard band of the usual element types (e.g. "180-270"); a weld's set-point sits inside it. */
const PRODUCTION_CURRENT: Range = [180, 270];
const PRODUCTION_VOLTAGE: Range = [15, 35];
const SET_POINT_CURRENT: Range = [195, 255];
const SET_POINT_VOLTAGE: Range = [18, 32];

/** Out-of-standard episodes: an arc that runs hot (above 300 A) or starves below the band. */
const HIGH_EPISODE_CURRENT: Range = [305, 380];
const LOW_EPISODE_CURRENT: Range = [120, 170];
const HIGH_EPISODE_PROBABILITY = 0.65;
/** A few seconds, not compressed by the speed factor: an alert must be seen in several samples. */
const EPISODE_DURATION_MS: Range = [3_000, 8_000];
const MIN_EPISODE_SAMPLES = 3;
const MIN_STATE_SAMPLES = 2;

interface Episode {
  until: number;
  current: number;
  range: Range;
}

/**
 * One simulated welding machine behind a PLC gateway: it cycles OFF → IDLE → PRODUCTION →
 * IDLE → … with durations of tens of seconds to minutes, reads noisy current and voltage
 * around a per-weld set-point, and has occasional out-of-standard episodes while welding.
 */
export class WeldingMachine {
  private currentState: WeldingState;
  private stateUntil: number;
  private setPoint = { current: 0, voltage: 0 };
  private episode?: Episode;
  /** Slowly varying noise (AR(1)), closer to a real arc than independent draws. */
  private noise = { current: 0, voltage: 0 };

  constructor(
    readonly code: string,
    private readonly random: SeededRandom,
    private readonly options: WeldingMachineOptions,
    startTime: number,
  ) {
    this.currentState = this.initialState();
    this.enter(this.currentState, startTime);
    // Start somewhere inside the first state, so that the machines do not switch in step.
    this.stateUntil = startTime + random.uniform(0.1, 1) * (this.stateUntil - startTime);
  }

  get state(): WeldingState {
    return this.currentState;
  }

  get outOfStandard(): boolean {
    return this.episode !== undefined;
  }

  sample(ts: number): ElectricalPayload {
    while (ts >= this.stateUntil) this.enter(this.nextState(), this.stateUntil);
    if (this.episode && ts >= this.episode.until) this.episode = undefined;
    if (this.currentState === 'PRODUCTION' && !this.episode) this.maybeStartEpisode(ts);
    switch (this.currentState) {
      case 'OFF':
        return { ts, current: 0, voltage: 0 };
      case 'IDLE':
        return { ts, ...this.reading(this.setPoint.current, IDLE_CURRENT, this.setPoint.voltage, IDLE_VOLTAGE) };
      case 'PRODUCTION': {
        const [current, range] = this.episode
          ? [this.episode.current, this.episode.range]
          : [this.setPoint.current, PRODUCTION_CURRENT];
        return { ts, ...this.reading(current, range, this.setPoint.voltage, PRODUCTION_VOLTAGE) };
      }
    }
  }

  private enter(state: WeldingState, at: number): void {
    this.currentState = state;
    this.episode = undefined;
    const [min, max] = DURATION_MS[state];
    const duration = Math.max(
      this.random.uniform(min, max) / this.options.speed,
      MIN_STATE_SAMPLES * this.options.samplePeriodMs,
    );
    this.stateUntil = at + duration;
    if (state === 'IDLE')
      this.setPoint = {
        current: this.random.uniform(...IDLE_SET_CURRENT),
        voltage: this.random.uniform(...IDLE_SET_VOLTAGE),
      };
    if (state === 'PRODUCTION')
      this.setPoint = {
        current: this.random.uniform(...SET_POINT_CURRENT),
        voltage: this.random.uniform(...SET_POINT_VOLTAGE),
      };
  }

  private nextState(): WeldingState {
    if (this.currentState === 'OFF' || this.currentState === 'PRODUCTION') return 'IDLE';
    return this.random.chance(SWITCH_OFF_PROBABILITY) ? 'OFF' : 'PRODUCTION';
  }

  private initialState(): WeldingState {
    let draw = this.random.next();
    for (const [state, weight] of INITIAL_STATE_WEIGHTS) {
      if (draw < weight) return state;
      draw -= weight;
    }
    return 'PRODUCTION';
  }

  private maybeStartEpisode(ts: number): void {
    const meanMs = this.options.outOfStandardMeanIntervalMs / this.options.speed;
    if (!this.random.chance(1 - Math.exp(-this.options.samplePeriodMs / meanMs))) return;
    const duration = Math.max(
      this.random.uniform(...EPISODE_DURATION_MS),
      MIN_EPISODE_SAMPLES * this.options.samplePeriodMs,
    );
    const range = this.random.chance(HIGH_EPISODE_PROBABILITY) ? HIGH_EPISODE_CURRENT : LOW_EPISODE_CURRENT;
    this.episode = { until: ts + duration, current: this.random.uniform(...range), range };
  }

  private reading(
    currentCentre: number,
    currentRange: Range,
    voltageCentre: number,
    voltageRange: Range,
  ): { current: number; voltage: number } {
    this.noise.current = 0.6 * this.noise.current + this.random.normal() * 3;
    this.noise.voltage = 0.6 * this.noise.voltage + this.random.normal() * 0.4;
    return {
      current: round1(clamp(currentCentre + this.noise.current, ...currentRange)),
      voltage: round1(clamp(voltageCentre + this.noise.voltage, ...voltageRange)),
    };
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
