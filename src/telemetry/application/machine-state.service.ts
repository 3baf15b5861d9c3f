import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { MachinesService } from '../../machines/application/machines.service.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import type { MachineState } from '../domain/machine-state.js';
import {
  advance,
  EMPTY_TRACK,
  timelineWrites,
  type MachineTrack,
  type TrackOutcome,
} from '../domain/machine-state-tracker.js';
import { clipSegment, resolveWindow, type TimelineSegment, type WindowArgs } from '../domain/machine-state-window.js';
import type { ElectricalSample } from '../domain/samples.js';
import { CommittedSamples } from './committed-samples.js';
import { codeOf, machinesByCodes } from './machine-codes.js';
import { MachineStateRepository, type MachineTimelineWrites, type StoredEpisode } from './machine-state.ports.js';
import { ShiftStandardsService } from './shift-standards.service.js';
import { StateBandsService } from './state-bands.service.js';

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

const CATCH_UP_CHUNK = 5000;
const RESYNC_DELAY_MS = 1000;
/**
 * Committed samples waiting to be applied beyond which the hand-off waits (so the MQTT
 * acknowledgements, and the broker, hold the backlog): the state may lag the samples by
 * about this much, never grow without bound.
 */
const MAX_PENDING_SAMPLES = 20_000;
export const MAX_TIMELINE_ROWS = 10_000;

interface Processed {
  machineId: number;
  before: MachineTrack;
  outcome: TrackOutcome;
}

/**
 * Machine state from electrical readings: OFF / IDLE / PRODUCTION segments, the alert flag
 * and out-of-standard episodes. Per-machine state lives in memory, rebuilt from the database
 * at start; each committed batch is applied in one transaction, then announced.
 *
 * Work is serialised (one batch at a time), so that batches of a machine apply in order.
 * The hand-off does not wait for it (up to MAX_PENDING_SAMPLES behind): the samples are
 * committed before they are handed on, so a crash before the state's transaction loses
 * nothing — the start catches up from them, as below. Batches committed while one is being
 * applied are applied together, in one transaction. When a write fails, the samples are stored but the timeline is not: the machines are
 * marked stale and caught up from the stored samples before their next batch (and by a
 * retry timer), so nothing is lost — the same catch-up that runs at start after a crash.
 */
@Injectable()
export class MachineStateService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(MachineStateService.name);
  private tracks = new Map<number, MachineTrack>();
  private readonly stale = new Set<number>();
  private work: Promise<void> = Promise.resolve();
  /** Committed batches not yet applied, in hand-off order. */
  private pending: Array<readonly ElectricalSample[]> = [];
  private pendingSamples = 0;
  private applying = false;
  private readonly roomWaiters: Array<() => void> = [];
  private resyncTimer?: NodeJS.Timeout;
  private stopped = false;
  /** Silence longer than this (MACHINE_STATE_GAP_SECONDS) ends the open segment at its last reading. */
  private readonly maxGapMs: number;
  /**
   * At start, a machine without any segment is caught up from this far back
   * (MACHINE_STATE_CATCH_UP_HOURS); machines with one, from their last reading.
   */
  private readonly catchUpHorizonMs: number;

  constructor(
    committed: CommittedSamples,
    private readonly repository: MachineStateRepository,
    private readonly bands: StateBandsService,
    private readonly standards: ShiftStandardsService,
    private readonly machines: MachinesService,
    private readonly pubsub: PubSub,
    config: AppConfig,
  ) {
    this.maxGapMs = config.MACHINE_STATE_GAP_SECONDS * 1000;
    this.catchUpHorizonMs = config.MACHINE_STATE_CATCH_UP_HOURS * 3600_000;
    committed.onElectrical((samples) => this.accept(samples));
    machines.registerDeletionParticipant({
      what: 'machine state segments',
      count: async (id) => (await this.repository.countOf(id)).segments,
      delete: (id) => this.serialise(() => this.forget(id)),
    });
    machines.registerDeletionParticipant({
      what: 'out-of-standard episodes',
      count: async (id) => (await this.repository.countOf(id)).episodes,
      // Deleted with the segments above.
      delete: async () => undefined,
    });
  }

  /** Before MQTT connects (onApplicationBootstrap): no batch arrives before the rebuild. */
  onModuleInit(): Promise<void> {
    return this.serialise(() => this.rebuild());
  }

  onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.resyncTimer);
    return this.work;
  }

  current(machineCodes?: readonly string[] | null): CurrentMachineState[] {
    const ids = machineCodes?.length
      ? machinesByCodes(this.machines, machineCodes).map((m) => m.id)
      : [...this.tracks.keys()].sort((a, b) => a - b);
    return ids.flatMap((machineId) => {
      const { segment, episode } = this.tracks.get(machineId) ?? EMPTY_TRACK;
      if (!segment) return [];
      const machineCode = codeOf(this.machines, machineId);
      const { state, startedAt: since, lastSampleAt } = segment;
      return [{ machineId, machineCode, state, since, alert: episode !== null, lastSampleAt }];
    });
  }

  async timeline(
    machineCodes: readonly string[],
    args: WindowArgs,
    limit = MAX_TIMELINE_ROWS,
  ): Promise<TimelineEntry[]> {
    const machines = machinesByCodes(this.machines, machineCodes);
    const window = resolveWindow(args, new Date());
    const rows = await this.repository.segments(
      machines.map((m) => m.id),
      window,
      limit,
    );
    return rows.map((row) => ({ ...clipSegment(row, window), machineCode: codeOf(this.machines, row.machineId) }));
  }

  async episodes(
    machineCodes: readonly string[],
    args: WindowArgs,
    limit = MAX_TIMELINE_ROWS,
  ): Promise<EpisodeEntry[]> {
    const machines = machinesByCodes(this.machines, machineCodes);
    const window = resolveWindow(args, new Date());
    const rows = await this.repository.episodes(
      machines.map((m) => m.id),
      window,
      limit,
    );
    return rows.map((row) => toEpisodeEntry(row, codeOf(this.machines, row.machineId)));
  }

  /** Resolves once every batch handed on so far is applied (or failed over to a catch-up). */
  settled(): Promise<void> {
    return this.work;
  }

  /** Queues a committed batch; waits only while too many samples are already queued. */
  private accept(samples: readonly ElectricalSample[]): Promise<void> {
    if (!samples.length) return Promise.resolve();
    this.pending.push(samples);
    this.pendingSamples += samples.length;
    if (!this.applying) {
      this.applying = true;
      void this.serialise(() => this.applyPending());
    }
    if (this.pendingSamples <= MAX_PENDING_SAMPLES) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Applies the queued batches, all that arrived meanwhile at once, until none is left. */
  private async applyPending(): Promise<void> {
    try {
      while (this.pending.length) {
        const batches = this.pending.splice(0);
        this.pendingSamples = 0;
        for (const resolve of this.roomWaiters.splice(0)) resolve();
        // Each batch is sorted by machine and time; concatenated, each machine's samples stay in hand-off order.
        await this.onCommitted(batches.length === 1 ? batches[0] : batches.flat());
      }
    } finally {
      this.applying = false;
    }
  }

  private serialise(task: () => Promise<void>): Promise<void> {
    const run = this.work.then(task);
    this.work = run.catch(() => undefined);
    return run;
  }

  private async rebuild(): Promise<void> {
    await Promise.all([this.bands.ready(), this.standards.ready()]);
    this.tracks = await this.repository.loadTracks();
    const known = new Set([...this.machines.allRefs().map((m) => m.id), ...this.tracks.keys()]);
    await this.catchUp([...known], { reload: false });
  }

  /** A committed batch: never throws (the samples are stored; a failure only delays the timeline). */
  private async onCommitted(samples: readonly ElectricalSample[]): Promise<void> {
    try {
      if (this.stale.size) await this.catchUp([...this.stale]);
      const byMachine = new Map<number, ElectricalSample[]>();
      for (const sample of samples) {
        if (this.stale.has(sample.machineId)) continue;
        const readings = byMachine.get(sample.machineId);
        if (readings) readings.push(sample);
        else byMachine.set(sample.machineId, [sample]);
      }
      await this.apply(byMachine);
    } catch (err) {
      for (const sample of samples) this.stale.add(sample.machineId);
      this.logger.error({ err }, 'Updating machine states failed; they will be caught up from the stored samples');
      this.scheduleResync();
    }
  }

  /**
   * Replays the stored samples each machine has not been through (after its last reading),
   * in chunks. Throws on failure, leaving the machines stale.
   */
  private async catchUp(machineIds: readonly number[], { reload = true } = {}): Promise<void> {
    for (const id of machineIds) this.stale.add(id);
    // A failed commit may have reached the database all the same: start from what it holds.
    if (reload) {
      const stored = await this.repository.loadTracks(machineIds);
      for (const id of machineIds) this.tracks.set(id, stored.get(id) ?? EMPTY_TRACK);
    }
    const pending = await this.repository.machinesWithSamplesAfter(
      new Map(machineIds.map((id) => [id, this.watermark(id)])),
    );
    for (const id of machineIds) if (!pending.includes(id)) this.stale.delete(id);
    for (const machineId of pending) {
      for (;;) {
        const samples = await this.repository.samplesAfter(machineId, this.watermark(machineId), CATCH_UP_CHUNK);
        if (samples.length) await this.apply(new Map([[machineId, samples]]));
        if (samples.length < CATCH_UP_CHUNK) break;
      }
      this.stale.delete(machineId);
    }
    if (pending.length) this.logger.log(`Caught up the machine state of ${pending.length} machine(s)`);
  }

  private watermark(machineId: number): Date {
    return this.tracks.get(machineId)?.segment?.lastSampleAt ?? new Date(Date.now() - this.catchUpHorizonMs);
  }

  /** One transaction for the whole batch; memory moves on only once it is committed. */
  private async apply(byMachine: ReadonlyMap<number, readonly ElectricalSample[]>): Promise<void> {
    if (!byMachine.size) return;
    let oldest = Infinity;
    for (const readings of byMachine.values()) for (const r of readings) oldest = Math.min(oldest, r.ts.getTime());
    await this.standards.cover(new Date(oldest));
    const bands = this.bands.ordered();
    const processed: Processed[] = [];
    for (const [machineId, readings] of byMachine) {
      const before = this.tracks.get(machineId) ?? EMPTY_TRACK;
      const outcome = advance(before, readings, {
        bands,
        standardAt: (ts) => this.standards.standardAt(machineId, ts),
        maxGapMs: this.maxGapMs,
      });
      processed.push({ machineId, before, outcome });
    }
    const writes: MachineTimelineWrites[] = processed
      .map(({ machineId, before, outcome }) => ({ machineId, ...timelineWrites(before, outcome) }))
      .filter((w) => w.updatedSegment || w.newSegments.length || w.updatedEpisode || w.newEpisodes.length);
    if (writes.length) await this.repository.write(writes);
    for (const { machineId, outcome } of processed) this.tracks.set(machineId, outcome.track);
    await this.announce(processed);
  }

  private async announce(processed: readonly Processed[]): Promise<void> {
    for (const { machineId, outcome } of processed) {
      const machineCode = codeOf(this.machines, machineId);
      for (const event of outcome.events)
        await this.pubsub
          .publish<MachineStateChangedEvent>(MACHINE_STATE_CHANGED, { machineId, machineCode, ...event })
          .catch((err) => this.logger.warn({ err, machineCode }, 'Announcing a machine state change failed'));
    }
  }

  private scheduleResync(): void {
    if (this.stopped || this.resyncTimer) return;
    this.resyncTimer = setTimeout(() => {
      this.resyncTimer = undefined;
      void this.serialise(async () => {
        if (!this.stale.size || this.stopped) return;
        await this.catchUp([...this.stale]).catch((err) => {
          this.logger.warn({ err }, 'Catching up machine states failed; retrying');
          this.scheduleResync();
        });
      });
    }, RESYNC_DELAY_MS);
    this.resyncTimer.unref();
  }

  private async forget(machineId: number): Promise<void> {
    await this.repository.deleteOf(machineId);
    this.tracks.delete(machineId);
    this.stale.delete(machineId);
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
