import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { MachinesService } from '../../machines/application/machines.service.js';
import type { DerivedStage } from '../../shared/ingestion/derived-state.js';
import { SampleIngestion } from '../../shared/ingestion/sample-ingestion.service.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import type { MachineState } from '../domain/machine-state.js';
import {
  advance,
  EMPTY_TRACK,
  timelineWrites,
  type Episode,
  type MachineTrack,
  type TrackOutcome,
} from '../domain/machine-state-tracker.js';
import { clipSegment, resolveWindow, type TimelineSegment, type WindowArgs } from '../domain/machine-state-window.js';
import type { ElectricalSample } from '../domain/samples.js';
import { MachineStateRepository, type MachineTimelineWrites, type StoredEpisode } from './machine-state.ports.js';
import { ShiftStandardsService } from './shift-standards.service.js';
import { StateBandsService } from './state-bands.service.js';
import { ELECTRICAL_KIND } from './telemetry-kinds.js';

export const MACHINE_STATE_CHANGED = 'telemetry.machine-state-changed';

/** Published when a machine's state changes or its alert flag flips (both at once: one event). */
export interface MachineStateChangedEvent {
  machineId: number;
  machineCode: string;
  state: MachineState;
  previousState: MachineState | null;
  /** When the current state began. */
  since: Date;
  /** The reading is out of the standard of the active shift. */
  alert: boolean;
  /** The reading that caused the change. */
  at: Date;
}

export interface CurrentMachineState {
  machineId: number;
  machineCode: string;
  state: MachineState;
  since: Date;
  alert: boolean;
  lastSampleAt: Date;
}

export interface TimelineEntry extends TimelineSegment {
  machineCode: string;
}

/** An episode as shown: an open one lasts up to its last reading. */
export interface EpisodeEntry {
  id: number;
  machineCode: string;
  shiftId: number | null;
  start: Date;
  end: Date | null;
  lastSampleAt: Date;
  durationSeconds: number;
  open: boolean;
  peakCurrent: number;
  peakVoltage: number;
  sampleCount: number;
}

export const MAX_TIMELINE_ROWS = 10_000;

/** One machine's out-of-standard episodes that a batch started, moved or ended. */
export interface OutOfStandardEpisodes {
  machineId: number;
  machineCode: string;
  /** The episode open before the batch, if any. */
  openBefore: Episode | null;
  /** Oldest first: those the batch closed, then the one open after it. */
  episodes: Episode[];
}

interface Processed {
  machineId: number;
  outcome: TrackOutcome;
}

/**
 * Machine state from electrical readings: OFF / IDLE / PRODUCTION segments, the alert flag
 * and out-of-standard episodes. A derived stage of the electrical kind (shared/ingestion,
 * derived-state.ts): the runner feeds it each machine's committed samples in time order,
 * only for the machines this process owns, and catches a machine up from the stored samples
 * when this process takes it over (at start, after a failed write, when a replica dies).
 * The state of owned machines lives in memory; each batch is written in one transaction and
 * announced once committed.
 */
@Injectable()
export class MachineStateService implements DerivedStage<ElectricalSample>, OnModuleInit {
  readonly name = 'machine state';
  private readonly logger = new Logger(MachineStateService.name);
  /** The machines this process owns: their open segment and episode. */
  private readonly tracks = new Map<number, MachineTrack>();
  /** Silence longer than this (MACHINE_STATE_GAP_SECONDS) ends the open segment at its last reading. */
  private readonly maxGapMs: number;
  /**
   * A machine without any segment is caught up from this far back (MACHINE_STATE_CATCH_UP_HOURS);
   * machines with one, from their last reading.
   */
  private readonly catchUpHorizonMs: number;
  /** Called in the batch's transaction with the episodes it touched (alarms raise theirs there). */
  private readonly episodeListeners: Array<(change: OutOfStandardEpisodes) => Promise<void>> = [];

  constructor(
    private readonly repository: MachineStateRepository,
    private readonly bands: StateBandsService,
    private readonly standards: ShiftStandardsService,
    private readonly machines: MachinesService,
    private readonly pubsub: PubSub,
    private readonly ingestion: SampleIngestion,
    config: AppConfig,
  ) {
    this.maxGapMs = config.MACHINE_STATE_GAP_SECONDS * 1000;
    this.catchUpHorizonMs = config.MACHINE_STATE_CATCH_UP_HOURS * 3600_000;
  }

  onModuleInit(): void {
    this.machines.registerDeletionParticipant({
      what: 'machine state segments',
      count: async (id) => (await this.repository.countOf(id)).segments,
      delete: async (id) => {
        await this.ingestion.kind<ElectricalSample>(ELECTRICAL_KIND).derived.get(this.name)?.forget(id);
        await this.repository.deleteOf(id);
      },
    });
    this.machines.registerDeletionParticipant({
      what: 'out-of-standard episodes',
      count: async (id) => (await this.repository.countOf(id)).episodes,
      // Deleted with the segments above.
      delete: async () => undefined,
    });
  }

  /** Memory for the machines this process owns; the database's open rows for the others (another replica derives them). */
  async current(machineCodes?: readonly string[] | null): Promise<CurrentMachineState[]> {
    const ids = (machineCodes?.length ? this.machines.requireByCodes(machineCodes) : this.machines.allRefs())
      .map((m) => m.id)
      .sort((a, b) => a - b);
    const elsewhere = ids.filter((id) => !this.tracks.has(id));
    const stored = elsewhere.length ? await this.repository.loadTracks(elsewhere) : new Map<number, MachineTrack>();
    return ids.flatMap((machineId) => {
      const { segment, episode } = this.tracks.get(machineId) ?? stored.get(machineId) ?? EMPTY_TRACK;
      if (!segment) return [];
      const machineCode = this.machines.codeOf(machineId);
      const { state, startedAt: since, lastSampleAt } = segment;
      return [{ machineId, machineCode, state, since, alert: episode !== null, lastSampleAt }];
    });
  }

  async timeline(
    machineCodes: readonly string[],
    args: WindowArgs,
    limit = MAX_TIMELINE_ROWS,
  ): Promise<TimelineEntry[]> {
    const machines = this.machines.requireByCodes(machineCodes);
    const window = resolveWindow(args, new Date());
    const rows = await this.repository.segments(
      machines.map((m) => m.id),
      window,
      limit,
    );
    return rows.map((row) => ({ ...clipSegment(row, window), machineCode: this.machines.codeOf(row.machineId) }));
  }

  async episodes(
    machineCodes: readonly string[],
    args: WindowArgs,
    limit = MAX_TIMELINE_ROWS,
  ): Promise<EpisodeEntry[]> {
    const machines = this.machines.requireByCodes(machineCodes);
    const window = resolveWindow(args, new Date());
    const rows = await this.repository.episodes(
      machines.map((m) => m.id),
      window,
      limit,
    );
    return rows.map((row) => toEpisodeEntry(row, this.machines.codeOf(row.machineId)));
  }

  async acquire(machineIds: readonly number[]): Promise<void> {
    await Promise.all([this.bands.ready(), this.standards.ready()]);
    const stored = await this.repository.loadTracks(machineIds);
    for (const id of machineIds) this.tracks.set(id, stored.get(id) ?? EMPTY_TRACK);
  }

  release(machineIds: readonly number[]): void {
    for (const id of machineIds) this.tracks.delete(id);
  }

  watermark(machineId: number): Date | null {
    return this.tracks.get(machineId)?.segment?.lastSampleAt ?? null;
  }

  catchUpFrom(): Date {
    return new Date(Date.now() - this.catchUpHorizonMs);
  }

  async apply(byMachine: ReadonlyMap<number, readonly ElectricalSample[]>): Promise<() => Promise<void>> {
    let oldest = Infinity;
    for (const readings of byMachine.values()) for (const r of readings) oldest = Math.min(oldest, r.ts.getTime());
    await this.standards.cover(new Date(oldest));
    const bands = this.bands.ordered();
    const processed: Processed[] = [];
    const writes: MachineTimelineWrites[] = [];
    for (const [machineId, readings] of byMachine) {
      const before = this.tracks.get(machineId) ?? EMPTY_TRACK;
      const outcome = advance(before, readings, {
        bands,
        standardAt: (ts) => this.standards.standardAt(machineId, ts),
        maxGapMs: this.maxGapMs,
      });
      processed.push({ machineId, outcome });
      const write = { machineId, ...timelineWrites(before, outcome) };
      if (write.updatedSegment || write.newSegments.length || write.updatedEpisode || write.newEpisodes.length)
        writes.push(write);
    }
    if (writes.length) await this.repository.write(writes);
    for (const write of writes)
      if (write.updatedEpisode || write.newEpisodes.length)
        for (const listener of this.episodeListeners)
          await listener({
            machineId: write.machineId,
            machineCode: this.machines.codeOf(write.machineId),
            openBefore: (this.tracks.get(write.machineId) ?? EMPTY_TRACK).episode,
            episodes: [...(write.updatedEpisode ? [write.updatedEpisode] : []), ...write.newEpisodes],
          });
    return async () => {
      for (const { machineId, outcome } of processed) this.tracks.set(machineId, outcome.track);
      await this.announce(processed);
    };
  }

  /** `listener` runs in the transaction that stores the episodes: what it writes commits with them, and a replay repeats it. */
  onEpisodes(listener: (change: OutOfStandardEpisodes) => Promise<void>): void {
    this.episodeListeners.push(listener);
  }

  private async announce(processed: readonly Processed[]): Promise<void> {
    for (const { machineId, outcome } of processed) {
      const machineCode = this.machines.codeOf(machineId);
      for (const event of outcome.events)
        await this.pubsub
          .publish<MachineStateChangedEvent>(MACHINE_STATE_CHANGED, { machineId, machineCode, ...event })
          .catch((err) => this.logger.warn({ err, machineCode }, 'Announcing a machine state change failed'));
    }
  }
}

function toEpisodeEntry(episode: StoredEpisode, machineCode: string): EpisodeEntry {
  const end = episode.endedAt ?? episode.lastSampleAt;
  return {
    id: episode.id,
    machineCode,
    shiftId: episode.shiftId,
    start: episode.startedAt,
    end: episode.endedAt,
    lastSampleAt: episode.lastSampleAt,
    durationSeconds: (end.getTime() - episode.startedAt.getTime()) / 1000,
    open: episode.endedAt === null,
    peakCurrent: episode.peakCurrent,
    peakVoltage: episode.peakVoltage,
    sampleCount: episode.sampleCount,
  };
}
