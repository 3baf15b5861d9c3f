import {
  classify,
  isOutOfStandard,
  type MachineState,
  type Reading,
  type StandardBand,
  type StateBand,
} from './machine-state.js';

/**
 * A stretch of time in one state. While open (`endedAt` null) `lastSampleAt` follows every
 * reading, so the timeline is current without waiting for the next change; when the state
 * changes the segment ends at the change instant (the first reading of the new state), so
 * consecutive segments touch. `lastSampleAt` stays the last reading inside the segment.
 */
export interface Segment {
  state: MachineState;
  startedAt: Date;
  endedAt: Date | null;
  lastSampleAt: Date;
}

/**
 * Readings outside the standard, from the first one to the first reading back inside or
 * outside PRODUCTION (which ends it). Peaks are the highest current and voltage seen.
 */
export interface Episode {
  shiftId: number | null;
  startedAt: Date;
  endedAt: Date | null;
  lastSampleAt: Date;
  peakCurrent: number;
  peakVoltage: number;
  sampleCount: number;
}

/** What is known of one machine: its open segment and open episode (an open episode = alert). */
export interface MachineTrack {
  segment: Segment | null;
  episode: Episode | null;
}

/** The standard in force for a reading: that of the element type of the shift active then. */
export interface ActiveStandard {
  shiftId: number;
  band: StandardBand;
}

export interface TrackRules {
  /** Ordered by priority (orderBands). */
  bands: readonly StateBand[];
  standardAt(ts: Date): ActiveStandard | null;
  /**
   * Silence longer than this means nothing is known in between: the open segment (and
   * episode) end at their last reading instead of stretching across the hole.
   */
  maxGapMs: number;
}

/** A change worth announcing: the state changed, or the alert flag flipped, or both. */
export interface TrackEvent {
  state: MachineState;
  previousState: MachineState | null;
  /** When the current state began. */
  since: Date;
  alert: boolean;
  /** The reading that caused it. */
  at: Date;
}

export interface TrackOutcome {
  track: MachineTrack;
  /** Segments closed by these readings, oldest first (the first may be the one open before). */
  closedSegments: Segment[];
  closedEpisodes: Episode[];
  events: TrackEvent[];
  /** Readings not newer than the track's last reading: late or replayed, ignored for state. */
  ignored: number;
}

export const EMPTY_TRACK: MachineTrack = { segment: null, episode: null };

export function alertOf(track: MachineTrack): boolean {
  return track.episode !== null;
}

/**
 * Feeds one machine's readings (any order; they are sorted) through the state rules.
 * A reading at or before the open segment's last reading is ignored for state purposes:
 * a late or out-of-order sample (stored all the same) cannot rewrite a timeline that has
 * already moved on, and a replayed one cannot count twice. Pure: `track` is not modified.
 */
export function advance(track: MachineTrack, readings: readonly Reading[], rules: TrackRules): TrackOutcome {
  const outcome: TrackOutcome = { track, closedSegments: [], closedEpisodes: [], events: [], ignored: 0 };
  const ordered = [...readings].sort((a, b) => a.ts.getTime() - b.ts.getTime());
  for (const reading of ordered) {
    const last = outcome.track.segment?.lastSampleAt.getTime();
    if (last !== undefined && reading.ts.getTime() <= last) outcome.ignored++;
    else step(outcome, reading, rules);
  }
  return outcome;
}

function step(outcome: TrackOutcome, reading: Reading, rules: TrackRules): void {
  const before = outcome.track;
  const previousState = before.segment?.state ?? null;
  const previousAlert = alertOf(before);
  let { segment, episode } = before;

  if (segment && reading.ts.getTime() - segment.lastSampleAt.getTime() > rules.maxGapMs) {
    outcome.closedSegments.push({ ...segment, endedAt: segment.lastSampleAt });
    segment = null;
    if (episode) outcome.closedEpisodes.push({ ...episode, endedAt: episode.lastSampleAt });
    episode = null;
  }

  const state = classify(reading, rules.bands);
  if (segment && segment.state === state) segment = { ...segment, lastSampleAt: reading.ts };
  else {
    if (segment) outcome.closedSegments.push({ ...segment, endedAt: reading.ts });
    segment = { state, startedAt: reading.ts, endedAt: null, lastSampleAt: reading.ts };
  }

  const standard = rules.standardAt(reading.ts);
  const out = isOutOfStandard(reading, state, standard?.band ?? null);
  const shiftId = standard?.shiftId ?? null;
  // An episode belongs to one shift: a reading still out of standard in the next shift starts a new one.
  if (episode && (!out || episode.shiftId !== shiftId)) {
    outcome.closedEpisodes.push({ ...episode, endedAt: reading.ts });
    episode = null;
  }
  if (out)
    episode = episode
      ? {
          ...episode,
          lastSampleAt: reading.ts,
          peakCurrent: Math.max(episode.peakCurrent, reading.current),
          peakVoltage: Math.max(episode.peakVoltage, reading.voltage),
          sampleCount: episode.sampleCount + 1,
        }
      : {
          shiftId,
          startedAt: reading.ts,
          endedAt: null,
          lastSampleAt: reading.ts,
          peakCurrent: reading.current,
          peakVoltage: reading.voltage,
          sampleCount: 1,
        };

  outcome.track = { segment, episode };
  if (state !== previousState || out !== previousAlert)
    outcome.events.push({ state, previousState, since: segment.startedAt, alert: out, at: reading.ts });
}

/** The rows to write for one machine so that the database matches `outcome` again. */
export interface TimelineWrites {
  /** The segment open before (if any) as it is now: closed (endedAt set) or still open. */
  updatedSegment: Segment | null;
  /** Segments that began with these readings, closed or (the last one) open. */
  newSegments: Segment[];
  updatedEpisode: Episode | null;
  newEpisodes: Episode[];
}

/**
 * Translates an outcome into writes. The database holds at most one open segment and one
 * open episode per machine, so "the open one" identifies the row to update.
 */
export function timelineWrites(before: MachineTrack, outcome: TrackOutcome): TimelineWrites {
  const segments = [...outcome.closedSegments, ...(outcome.track.segment ? [outcome.track.segment] : [])];
  const episodes = [...outcome.closedEpisodes, ...(outcome.track.episode ? [outcome.track.episode] : [])];
  const [updatedSegment, newSegments] = split(segments, before.segment?.startedAt);
  const [updatedEpisode, newEpisodes] = split(episodes, before.episode?.startedAt);
  return {
    updatedSegment: updatedSegment && changed(before.segment!, updatedSegment) ? updatedSegment : null,
    newSegments,
    updatedEpisode: updatedEpisode && changed(before.episode!, updatedEpisode) ? updatedEpisode : null,
    newEpisodes,
  };
}

/** The item that was open before (same start) and the ones that are new. */
function split<T extends { startedAt: Date }>(items: T[], openStart: Date | undefined): [T | null, T[]] {
  const first = items[0];
  if (openStart !== undefined && first && first.startedAt.getTime() === openStart.getTime())
    return [first, items.slice(1)];
  return [null, items];
}

function changed(
  before: { endedAt: Date | null; lastSampleAt: Date },
  after: { endedAt: Date | null; lastSampleAt: Date },
): boolean {
  return before.endedAt !== after.endedAt || before.lastSampleAt.getTime() !== after.lastSampleAt.getTime();
}
