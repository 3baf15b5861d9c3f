import type { ElectricalSample } from '../domain/samples.js';
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

/** Segments and episodes (derived state), and the electrical samples they are derived from. */
export abstract class MachineStateRepository {
  /** The open segment and open episode of every machine that has one. */
  abstract loadTracks(machineIds?: readonly number[]): Promise<Map<number, MachineTrack>>;
  /** Of the given machines, those with electrical samples stored after their `after`. */
  abstract machinesWithSamplesAfter(watermarks: ReadonlyMap<number, Date>): Promise<number[]>;
  /** The machine's samples after `after`, oldest first, at most `limit`. */
  abstract samplesAfter(machineId: number, after: Date, limit: number): Promise<ElectricalSample[]>;
  /** Every write of one batch, for all its machines, in one transaction. */
  abstract write(writes: readonly MachineTimelineWrites[]): Promise<void>;
  /** Segments overlapping the window, by machine then start, at most `limit`. */
  abstract segments(machineIds: readonly number[], window: TimeWindow, limit: number): Promise<StoredSegment[]>;
  abstract episodes(machineIds: readonly number[], window: TimeWindow, limit: number): Promise<StoredEpisode[]>;
  abstract countOf(machineId: number): Promise<{ segments: number; episodes: number }>;
  abstract deleteOf(machineId: number): Promise<void>;
}

export abstract class StateBandRepository {
  abstract list(): Promise<StateBand[]>;
  abstract find(state: MachineState): Promise<StateBand | null>;
  abstract save(band: StateBand): Promise<StateBand>;
}
