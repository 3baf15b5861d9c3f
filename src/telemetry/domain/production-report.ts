import { MACHINE_STATES, type MachineState, type StandardBand } from './machine-state.js';
import type { TimeWindow } from './machine-state-window.js';

/**
 * How far above the highest standard of all active element types a reading may go before
 * it counts as an implausible spike (a sensor glitch, not a weld).
 */
export interface SpikeMargin {
  current: number;
  voltage: number;
}

/** Readings above these limits are left out of the figures; null = no standard known, no limit. */
export interface PlausibilityLimits {
  current: number | null;
  voltage: number | null;
}

export function plausibilityLimits(activeStandards: readonly StandardBand[], margin: SpikeMargin): PlausibilityLimits {
  if (!activeStandards.length) return { current: null, voltage: null };
  return {
    current: Math.max(...activeStandards.map((s) => s.currentMax)) + margin.current,
    voltage: Math.max(...activeStandards.map((s) => s.voltageMax)) + margin.voltage,
  };
}

export interface Statistics {
  avg: number | null;
  min: number | null;
  max: number | null;
}

/**
 * Production figures of one machine over a window (a shift, or a UTC day).
 * - timeInState: seconds of each state, segments clipped to the window (an open segment
 *   counts up to its last reading).
 * - current/voltage: over the readings taken while the machine was in PRODUCTION (the
 *   welding figures; idle and off readings would drag them towards zero), leaving out
 *   implausible spikes, each quantity on its own: a current spike does not hide the voltage
 *   of the same reading. min and max leave spikes out too: a glitch is not a maximum.
 */
export interface ProductionFigures {
  machineId: number;
  window: TimeWindow;
  timeInState: { state: MachineState; seconds: number }[];
  current: Statistics;
  voltage: Statistics;
  /** Out-of-standard episodes overlapping the window. */
  outOfStandardEpisodes: number;
  /** Every reading in the window. */
  samples: number;
  /** Readings taken in PRODUCTION (what current/voltage are computed over, spikes aside). */
  productionSamples: number;
  /** PRODUCTION readings with a current or a voltage above the plausibility limits. */
  implausibleSamples: number;
  limits: PlausibilityLimits;
}

/** Every state, in a fixed order, with zero for the ones absent. */
export function completeTimeInState(seconds: Partial<Record<MachineState, number>>): ProductionFigures['timeInState'] {
  return MACHINE_STATES.map((state) => ({ state, seconds: seconds[state] ?? 0 }));
}
