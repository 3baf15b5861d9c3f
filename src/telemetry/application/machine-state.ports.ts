import type { MachineState, StateBand } from '../domain/machine-state.js';
import type { MachineTrack, TimelineWrites } from '../domain/machine-state-tracker.js';
import type { StoredSegment, TimeWindow } from '../domain/machine-state-window.js';

export interface MachineTimelineWrites extends TimelineWrites {
  machineId: number;
}

export interface StoredEpisode {
  id: number;
  machineId: number;
  shiftId: number | null;
  startedAt: Date;
  endedAt: Date | null;
  lastSampleAt: Date;
  peakCurrent: number;
  peakVoltage: number;
  sampleCount: number;
}

/** Segments and episodes: the derived state of electrical samples. */
export abstract class MachineStateRepository {
  /** The open segment and open episode of every machine that has one. */
  abstract loadTracks(machineIds?: readonly number[]): Promise<Map<number, MachineTrack>>;
  /** Every write of one batch, for all its machines, inside the caller's transaction. */
  abstract write(writes: readonly MachineTimelineWrites[]): Promise<void>;
  /** Segments overlapping the window, by machine then start, at most `limit`. */
  abstract segments(machineIds: readonly number[], window: TimeWindow, limit: number): Promise<StoredSegment[]>;
  abstract episodes(machineIds: readonly number[], window: TimeWindow, limit: number): Promise<StoredEpisode[]>;
  abstract countOf(machineId: number): Promise<{ segments: number; episodes: number }>;
  /** In the caller's transaction when there is one (deleting a machine: all or nothing). */
  abstract deleteOf(machineId: number): Promise<void>;
}

export abstract class StateBandRepository {
  abstract list(): Promise<StateBand[]>;
  abstract find(state: MachineState): Promise<StateBand | null>;
  abstract save(band: StateBand): Promise<StateBand>;
}
