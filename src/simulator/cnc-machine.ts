import { stepAxis, type AxisLimits } from './axis-kinematics.js';
import type { SeededRandom } from './seeded-random.js';
import type { AxesPayload, AxisName, AxisReading, ToolPayload } from './simulator-messages.js';

export interface CncMachineOptions extends AxisLimits {
  axes: readonly AxisName[];
  positionLimit: number;
  toolCapacity: number;
  toolSampleIntervalMs: number;
  toolChangeMeanIntervalMs: number;
  homingMeanIntervalMs: number;
}

interface AxisState {
  name: AxisName;
  position: number;
  velocity: number;
  acceleration: number;
  target: number;
  /** The axis holds its position until then once it has arrived (a cut, a measurement, a pause). */
  dwellUntil: number;
}

const TOOL_OFFSET_RANGE = [5, 40] as const;
const FEEDRATE_MAX = 20_000;
/** A programmed feed in [100, 20000] mm/min, in steps of 10 as a part program writes it. */
const FEED_STEPS = [10, 2_000] as const;
const MEAN_DWELL_MS = 1_500;
/** A new target before the axis arrives: the program changed its mind (jog, probe, retract). */
const MEAN_RETARGET_MS = 60_000;
/** Most moves are short (a pass, a step-over); some cross the whole travel. */
const SHORT_MOVE_PROBABILITY = 0.7;
const SHORT_MOVE_RANGE = [2, 40] as const;
const HOME_POSITION = 0;

/**
 * One simulated CNC machine: axes that move smoothly toward targets, a tool magazine with
 * a fixed length offset per tool, a programmed feed that changes with the tool, and now
 * and then a homing run during which the axes report `homed: false`.
 */
export class CncMachine {
  private readonly axes: AxisState[];
  private readonly toolOffsets: number[];
  private toolInUse: number;
  private feed: number;
  private homing = false;
  private nextHomingAt: number;

  constructor(
    readonly code: string,
    private readonly random: SeededRandom,
    private readonly options: CncMachineOptions,
    startTime: number,
  ) {
    this.axes = options.axes.map((name) => {
      const position = round3(random.uniform(-options.positionLimit, options.positionLimit));
      return { name, position, velocity: 0, acceleration: 0, target: position, dwellUntil: startTime };
    });
    this.toolOffsets = Array.from({ length: options.toolCapacity }, () => random.uniform(...TOOL_OFFSET_RANGE));
    this.toolInUse = random.int(1, options.toolCapacity);
    this.feed = this.programmedFeed();
    this.nextHomingAt = startTime + random.exponential(options.homingMeanIntervalMs);
  }

  /** The axes after one control period ending at `ts` (none at the very first sample). */
  axesSample(ts: number, dtSeconds: number | undefined): AxesPayload {
    if (dtSeconds !== undefined) this.step(ts, dtSeconds);
    const axes: AxesPayload['axes'] = {};
    for (const axis of this.axes) axes[axis.name] = this.reading(axis);
    return { ts, axes };
  }

  /** Offset and feed every sample; `toolInUse` on the first sample and whenever the tool changed. */
  toolSample(ts: number, first: boolean): ToolPayload {
    const changeProbability = 1 - Math.exp(-this.options.toolSampleIntervalMs / this.options.toolChangeMeanIntervalMs);
    const changed = !first && this.options.toolCapacity > 1 && this.random.chance(changeProbability);
    if (changed) {
      // Another pocket of the magazine, never the same one again.
      const next = this.random.int(1, this.options.toolCapacity - 1);
      this.toolInUse = next >= this.toolInUse ? next + 1 : next;
      this.feed = this.programmedFeed();
    }
    // Thermal growth and wear move the measured offset by microns around the tool's nominal length.
    const offset = clamp(this.toolOffsets[this.toolInUse - 1] + this.random.normal() * 0.002, ...TOOL_OFFSET_RANGE);
    // The override knob and the control's feed adaptation wander a few percent around the programmed feed; nothing is fed during homing.
    const feedrate = this.homing ? 0 : clamp(this.feed * (1 + this.random.normal() * 0.02), 0, FEEDRATE_MAX);
    const measured = { toolOffset: round3(offset), feedrate: round1(feedrate) };
    return first || changed ? { ts, toolInUse: this.toolInUse, ...measured } : { ts, ...measured };
  }

  private step(ts: number, dtSeconds: number): void {
    if (!this.homing && ts >= this.nextHomingAt) this.startHoming();
    for (const axis of this.axes) {
      if (!this.homing) this.chooseTarget(axis, ts, dtSeconds);
      const motion = stepAxis(axis.position, axis.velocity, axis.target, dtSeconds, this.options);
      const arrived = motion.position === axis.target && motion.velocity === 0 && axis.velocity !== 0;
      axis.position = motion.position;
      axis.velocity = motion.velocity;
      axis.acceleration = motion.acceleration;
      if (arrived) axis.dwellUntil = ts + this.random.exponential(MEAN_DWELL_MS);
    }
    if (this.homing && this.axes.every((a) => a.position === HOME_POSITION && a.velocity === 0)) {
      this.homing = false;
      this.nextHomingAt = ts + this.random.exponential(this.options.homingMeanIntervalMs);
    }
  }

  private chooseTarget(axis: AxisState, ts: number, dtSeconds: number): void {
    const atRest = axis.position === axis.target && axis.velocity === 0;
    const due = atRest ? ts >= axis.dwellUntil : this.random.chance((dtSeconds * 1000) / MEAN_RETARGET_MS);
    if (!due) return;
    const limit = this.options.positionLimit;
    const target = this.random.chance(SHORT_MOVE_PROBABILITY)
      ? axis.position + (this.random.chance(0.5) ? 1 : -1) * this.random.uniform(...SHORT_MOVE_RANGE)
      : this.random.uniform(-limit, limit);
    // Targets are on the control's resolution (µm), so an arrived axis reads exactly its target.
    axis.target = round3(clamp(target, -limit, limit));
  }

  private startHoming(): void {
    this.homing = true;
    for (const axis of this.axes) axis.target = HOME_POSITION;
  }

  private reading(axis: AxisState): AxisReading {
    return {
      actual: round3(axis.position),
      target: axis.target,
      velocity: round3(axis.velocity),
      acceleration: round3(axis.acceleration),
      homed: !this.homing,
    };
  }

  private programmedFeed(): number {
    return this.random.int(...FEED_STEPS) * 10;
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000 || 0;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10 || 0;
}
