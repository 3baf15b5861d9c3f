import { InvalidInputError } from '../../shared/errors/domain-errors.js';

/** What a welding machine is doing, derived from its electrical readings. */
export const MACHINE_STATES = ['OFF', 'IDLE', 'PRODUCTION'] as const;
export type MachineState = (typeof MACHINE_STATES)[number];

export function isMachineState(value: string): value is MachineState {
  return (MACHINE_STATES as readonly string[]).includes(value);
}

/**
 * A reading that falls in no band: a machine that is neither off nor producing is idle.
 * The seeded IDLE band is a catch-all, so this only matters once bands have been edited.
 */
export const FALLBACK_STATE: MachineState = 'IDLE';

export interface Reading {
  ts: Date;
  current: number;
  voltage: number;
}

/**
 * The readings that mean a state, as data. A null bound is open; bounds are INCLUSIVE on
 * both ends (`min ≤ value ≤ max`), so that the seeded "OFF: current ≤ 5 A and voltage ≤ 5 V"
 * reads as written. Bands are tried by priority (then state name): the first that contains
 * both the current and the voltage wins.
 */
export interface StateBand {
  state: MachineState;
  priority: number;
  currentMin: number | null;
  currentMax: number | null;
  voltageMin: number | null;
  voltageMax: number | null;
  /** Display colour for charts, e.g. "#2e7d32". */
  color: string;
}

export type StateBandChanges = Partial<Omit<StateBand, 'state'>>;

const COLOR = /^(#[0-9a-fA-F]{3,8}|[a-z]{1,20})?$/;

export function orderBands(bands: readonly StateBand[]): StateBand[] {
  return [...bands].sort((a, b) => a.priority - b.priority || a.state.localeCompare(b.state));
}

export function bandContains(band: StateBand, reading: Pick<Reading, 'current' | 'voltage'>): boolean {
  return (
    within(reading.current, band.currentMin, band.currentMax) &&
    within(reading.voltage, band.voltageMin, band.voltageMax)
  );
}

/** `orderedBands` as returned by orderBands. */
export function classify(
  reading: Pick<Reading, 'current' | 'voltage'>,
  orderedBands: readonly StateBand[],
): MachineState {
  return orderedBands.find((band) => bandContains(band, reading))?.state ?? FALLBACK_STATE;
}

/** The band after `changes`, checked as a whole: a null bound stays open, and min < max. */
export function changeBand(band: StateBand, changes: StateBandChanges): StateBand {
  const next: StateBand = { ...band };
  for (const key of Object.keys(changes) as (keyof StateBandChanges)[])
    if (changes[key] !== undefined) Object.assign(next, { [key]: changes[key] });
  const problems: Record<string, string> = {};
  if (!Number.isInteger(next.priority) || next.priority < 1 || next.priority > 1000)
    problems.priority = 'must be an integer from 1 to 1000';
  for (const key of ['currentMin', 'currentMax', 'voltageMin', 'voltageMax'] as const)
    if (next[key] !== null && !Number.isFinite(next[key])) problems[key] = 'must be a finite number or null';
  if (next.currentMin !== null && next.currentMax !== null && next.currentMin >= next.currentMax)
    problems.currentMax = `must be greater than currentMin (${next.currentMin})`;
  if (next.voltageMin !== null && next.voltageMax !== null && next.voltageMin >= next.voltageMax)
    problems.voltageMax = `must be greater than voltageMin (${next.voltageMin})`;
  if (!COLOR.test(next.color)) problems.color = 'must be empty, a #hex colour or a colour name';
  if (Object.keys(problems).length) throw new InvalidInputError(`Invalid ${band.state} band`, problems);
  return next;
}

/** The welding standard of an element type: readings must stay in [min, max] (inclusive). */
export interface StandardBand {
  currentMin: number;
  currentMax: number;
  voltageMin: number;
  voltageMax: number;
}

/**
 * The states in which a reading is checked against the standard: PRODUCTION only. The
 * standard is a welding band (e.g. 180–270 A) and applies while the machine welds. An idle
 * machine draws 20–60 A, always below any such band, so checking IDLE would flag every idle
 * stretch; an OFF machine is not welding either. An episode open when the machine leaves
 * PRODUCTION therefore ends at the first reading in another state.
 */
export const STANDARD_CHECKED_IN: ReadonlySet<MachineState> = new Set<MachineState>(['PRODUCTION']);

/** Out of standard: a reading in a checked state (PRODUCTION), outside the band. No standard, no alert. */
export function isOutOfStandard(
  reading: Pick<Reading, 'current' | 'voltage'>,
  state: MachineState,
  standard: StandardBand | null,
): boolean {
  if (!standard || !STANDARD_CHECKED_IN.has(state)) return false;
  return (
    reading.current < standard.currentMin ||
    reading.current > standard.currentMax ||
    reading.voltage < standard.voltageMin ||
    reading.voltage > standard.voltageMax
  );
}

function within(value: number, min: number | null, max: number | null): boolean {
  return (min === null || value >= min) && (max === null || value <= max);
}
