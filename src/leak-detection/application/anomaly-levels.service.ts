import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { DerivedStage } from '../../shared/ingestion/derived-state.js';
import { SampleIngestion } from '../../shared/ingestion/sample-ingestion.service.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import {
  AnomalyScorer,
  anomalySettings,
  FeedbackModeUnavailableError,
  PreparedBaseline,
  type AnomalySettings,
  type ScoredReading,
} from '../domain/anomaly-scoring.js';
import { nextEpisode, type CriticalEpisode } from '../domain/investigation-follow-up.js';
import type { PpmvSample } from '../domain/readings.js';
import type { SensorRef } from '../domain/registry.js';
import { INITIAL_BASELINE_NAME, seedBaseline } from '../domain/seed-baselines.js';
import {
  AnomalyLevelRepository,
  type AnomalyBatchWrites,
  type StoredScorer,
  type SensorEventRow,
  type StoredSensorEvent,
  type StoredSystemEvent,
  type SystemEventRow,
} from './anomaly-levels.ports.js';
import {
  ANOMALY_LEVELS_ADDED,
  LEAK_BASELINE_CHANGED,
  PPMV_KIND,
  SENSOR_EVENT_ADDED,
  SYSTEM_EVENT_ADDED,
} from './leak-kinds.js';
import { SensorBaselineRepository, type StoredBaseline } from './sensor-baselines.ports.js';
import { LeakRegistryService } from './leak-registry.service.js';

/** A scored reading as subscribers receive it. */
export interface LiveAnomalyLevel {
  sensorId: number;
  sensorName: string;
  ts: Date;
  ppmv: number;
  level: ScoredReading['level'];
  percent: number | null;
  feedback: boolean;
}

export type LiveSensorEvent = StoredSensorEvent & { sensorName: string };
export type SensorLevelChange = SensorEventRow & { sensorName: string };
export type LiveSystemEvent = StoredSystemEvent & { sensorName: string | null };

/** A sensor seen for the first time is scored from its readings of the last week (its first window warms up). */
const CATCH_UP_MS = 7 * 86_400_000;

interface Held {
  scorer: AnomalyScorer;
  /** The last committed scored reading's time: the watermark. */
  committedTs: Date | null;
  /**
   * The scorer moved on in a batch whose commit has not been confirmed: if the next batch finds
   * it still set, that commit failed and the scorer is reloaded from the store first.
   */
  pending: boolean;
  /** Its learned stretches differ from the stored ones (a new scorer, a new window size): written with the next batch. */
  historyUnsaved: boolean;
  /**
   * Since the change to CRITICAL while the sensor stays CRITICAL, else null. Derived from the
   * store when the scorer is loaded (the last sensor event and the levels scored since), so a
   * new owner or a restart counts on from where the committed readings stand.
   */
  critical: CriticalEpisode | null;
}

/** A reading scored CRITICAL after the change to CRITICAL, in the same episode. */
export interface CriticalReading {
  sensorId: number;
  at: Date;
  episode: CriticalEpisode;
}

/**
 * Anomaly levels: the ppmv kind's derived stage (shared/ingestion/derived-state.ts). The runner
 * feeds each sensor's committed readings in time order, only on the replica that owns the
 * sensor; each reading is scored (domain/anomaly-scoring.ts: the newest window's distance to
 * its nearest neighbour against the sensor's baseline), stored beside it with its level, and a
 * change of level is a sensor event. Where a scorer stands is stored with each batch
 * (anomaly_scorers), so a restarted or new owner resumes it exactly: a restart mid-series
 * gives the levels of an uninterrupted run.
 *
 * Scorers move on in place (copying one costs a replay of up to two windows): a batch whose
 * transaction fails leaves its sensors marked, and they are reloaded from the store before
 * their next reading.
 *
 * Feedback mode ("this stretch is normal") is what operators set on the sensor (registry); the
 * owner's scorer follows it at the sensor's next reading, and when it ends, learns the stretch
 * (a system event says whether it did).
 */
@Injectable()
export class AnomalyLevelsService implements DerivedStage<PpmvSample>, OnModuleInit, OnModuleDestroy {
  readonly name = 'anomaly levels';
  private readonly logger = new Logger(AnomalyLevelsService.name);
  private readonly held = new Map<number, Held>();
  /** Called in the batch's transaction for each change to CRITICAL (investigations request theirs there). */
  private readonly criticalListeners: Array<(sensorId: number, at: Date) => Promise<void>> = [];
  /** Called in the batch's transaction for each further CRITICAL reading of an episode (follow-up investigations). */
  private readonly stillCriticalListeners: Array<(reading: CriticalReading) => Promise<void>> = [];
  /** Called in the batch's transaction for each change of level (alarms raise and clear theirs there). */
  private readonly levelListeners: Array<(change: SensorLevelChange) => Promise<void>> = [];
  /** Sensors with a baseline of their own (held ones), prepared for their window when first used. */
  private readonly custom = new Map<number, { stored: StoredBaseline; prepared?: PreparedBaseline }>();
  /** Sensors whose baseline a job changed: reloaded before their next reading. */
  private readonly staleBaselines = new Set<number>();
  private changes?: AsyncIterableIterator<{ sensorId: number }>;
  /** Prepared seed baselines by window size: immutable, shared by the sensors on them. */
  private readonly baselines = new Map<number, PreparedBaseline>();

  constructor(
    private readonly repository: AnomalyLevelRepository,
    private readonly registry: LeakRegistryService,
    private readonly ingestion: SampleIngestion,
    private readonly pubsub: PubSub,
    private readonly sensorBaselines: SensorBaselineRepository,
  ) {}

  onModuleInit(): void {
    this.changes = this.pubsub.subscribe<{ sensorId: number }>(LEAK_BASELINE_CHANGED);
    void this.followBaselineChanges(this.changes);
    this.registry.registerDeletionParticipant({
      what: 'anomaly scorers',
      count: (ids) => this.repository.scorerCount(ids),
      // Their rows go with the sensor (foreign key); the runner lets go of the state first.
      delete: async (ids) => {
        const runner = this.ingestion.kind<PpmvSample>(PPMV_KIND).derived.get(this.name);
        for (const id of ids) await runner?.forget(id);
      },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.changes?.return?.();
  }

  /** A job changed the sensor's baseline: its scorer moves onto it at the next reading (here, or on its owner). */
  async baselineChanged(sensorId: number): Promise<void> {
    this.staleBaselines.add(sensorId);
  }

  async acquire(sensorIds: readonly number[]): Promise<void> {
    await this.loadBaselines(sensorIds);
    const stored = await this.repository.loadScorers(sensorIds, (scorer) =>
      AnomalyScorer.readingsNeeded(
        settingsOf({ window: scorer.windowSize }),
        scorer.sequence,
        scorer.feedbackStartedAt,
      ),
    );
    const episodes = await this.repository.criticalEpisodes(
      [...stored.values()]
        .filter((s) => s.lastLevel === 'CRITICAL')
        .map((s) => ({ sensorId: s.sensorId, lastTs: s.lastTs })),
    );
    for (const id of sensorIds) {
      const sensor = this.registry.findSensorById(id);
      if (!sensor) continue;
      const held = this.resume(sensor, stored.get(id));
      // Only a resumed scorer stands where the stored episode does (one started over warms up first).
      if (held.scorer.state().lastLevel === 'CRITICAL') held.critical = episodes.get(id) ?? null;
      this.held.set(id, held);
    }
  }

  release(sensorIds: readonly number[]): void {
    for (const id of sensorIds) {
      this.held.delete(id);
      this.custom.delete(id);
    }
  }

  /** The sensors this replica derives now (their scheduled baseline work is its to start), with their last level. */
  ownedSensors(): Array<{ sensorId: number; lastLevel: ScoredReading['level'] | null }> {
    return [...this.held].map(([sensorId, held]) => ({ sensorId, lastLevel: held.scorer.state().lastLevel }));
  }

  watermark(sensorId: number): Date | null {
    return this.held.get(sensorId)?.committedTs ?? null;
  }

  catchUpFrom(): Date {
    return new Date(Date.now() - CATCH_UP_MS);
  }

  async apply(bySensor: ReadonlyMap<number, readonly PpmvSample[]>): Promise<() => Promise<void>> {
    const failedBefore = [...bySensor.keys()].filter((id) => this.held.get(id)?.pending);
    if (failedBefore.length) await this.acquire(failedBefore);
    const newBaselines = [...bySensor.keys()].filter((id) => this.staleBaselines.has(id) && this.held.has(id));
    if (newBaselines.length) {
      await this.loadBaselines(newBaselines);
      for (const id of newBaselines) {
        const held = this.held.get(id)!;
        held.scorer = held.scorer.withBaseline(this.baselineFor(id, held.scorer.settings.windowSize));
      }
    }
    const batch: AnomalyBatchWrites = { levels: [], events: [], systemEvents: [], scorers: [] };
    const live: LiveAnomalyLevel[] = [];
    const moved: Array<{ held: Held; ts: Date }> = [];
    const stillCritical: CriticalReading[] = [];
    for (const [sensorId, readings] of bySensor) {
      const sensor = this.registry.findSensorById(sensorId);
      if (!sensor || !readings.length) continue;
      const held = this.fitted(sensor, this.held.get(sensorId));
      this.held.set(sensorId, held);
      held.pending = true;
      let historyChanged = false;
      for (const reading of readings) {
        const learned = this.followFeedbackMode(sensor, held.scorer, batch.systemEvents);
        historyChanged ||= learned;
        const scored = held.scorer.score(reading.ppmv);
        batch.levels.push({
          sensorId,
          ts: reading.ts,
          level: scored.level,
          percent: scored.percent,
          feedback: scored.feedbackMode,
        });
        live.push({ sensorId, sensorName: sensor.name, ts: reading.ts, ppmv: reading.ppmv, ...levelOf(scored) });
        held.critical = nextEpisode(held.critical, { ts: reading.ts, level: scored.level, changed: !!scored.event });
        if (held.critical && !scored.event) stillCritical.push({ sensorId, at: reading.ts, episode: held.critical });
        if (scored.event)
          batch.events.push({
            sensorId,
            level: scored.event.level,
            previousLevel: scored.event.previous,
            at: reading.ts,
            ppmv: reading.ppmv,
            percent: scored.percent,
          });
      }
      const state = held.scorer.state();
      const lastTs = readings[readings.length - 1].ts;
      batch.scorers.push({
        sensorId,
        windowSize: state.settings.windowSize,
        sequence: state.sequence,
        lastLevel: state.lastLevel!,
        lastTs,
        feedbackStartedAt: state.feedbackStartedAt,
        ...(historyChanged || held.historyUnsaved ? { feedbackHistory: state.feedbackHistory } : {}),
      });
      moved.push({ held, ts: lastTs });
    }
    const written = batch.levels.length ? await this.repository.write(batch) : { events: [], systemEvents: [] };
    for (const event of batch.events)
      if (event.level === 'CRITICAL')
        for (const listener of this.criticalListeners) await listener(event.sensorId, event.at);
    for (const reading of stillCritical) for (const listener of this.stillCriticalListeners) await listener(reading);
    for (const event of batch.events)
      for (const listener of this.levelListeners)
        await listener({
          ...event,
          sensorName: this.registry.findSensorById(event.sensorId)?.name ?? String(event.sensorId),
        });
    return async () => {
      for (const { held, ts } of moved) {
        held.committedTs = ts;
        held.pending = false;
        held.historyUnsaved = false;
      }
      await this.announce(live, written.events, written.systemEvents);
    };
  }

  /** `listener` runs in the transaction that stores a sensor's change to CRITICAL: what it writes commits with it. */
  onCritical(listener: (sensorId: number, at: Date) => Promise<void>): void {
    this.criticalListeners.push(listener);
  }

  /**
   * `listener` runs in the transaction that stores each further CRITICAL reading of an episode
   * (not the change itself), with the readings since the change; a replayed batch repeats it.
   */
  onStillCritical(listener: (reading: CriticalReading) => Promise<void>): void {
    this.stillCriticalListeners.push(listener);
  }

  /** `listener` runs in the transaction that stores a sensor's change of level; a replayed batch repeats it. */
  onLevelChange(listener: (change: SensorLevelChange) => Promise<void>): void {
    this.levelListeners.push(listener);
  }

  /**
   * Turning feedback mode on is refused until the sensor's scorer has seen a window of
   * readings (FeedbackModeUnavailableError, a CONFLICT): checked against the owner's memory,
   * or the store when another replica owns the sensor.
   */
  async checkFeedbackAvailable(sensor: SensorRef): Promise<void> {
    const held = this.held.get(sensor.id);
    const sequence = held && !held.pending ? held.scorer.sequence : await this.repository.sequenceOf(sensor.id);
    if (sequence < sensor.window) throw new FeedbackModeUnavailableError(sequence, sensor.window);
  }

  /** Records and announces a system event (a confirmed leak, a job's outcome). */
  async raiseSystemEvent(event: SystemEventRow): Promise<StoredSystemEvent> {
    const stored = await this.repository.addSystemEvent(event);
    await this.announce([], [], [stored]);
    return stored;
  }

  private resume(sensor: SensorRef, stored: StoredScorer | undefined): Held {
    const settings = settingsOf(sensor);
    const baseline = this.baselineFor(sensor.id, settings.windowSize);
    if (!stored) return this.fresh(sensor.id, settings, null);
    // A new window size starts the sensor's scoring over (a warm-up), from where it was.
    if (stored.windowSize !== settings.windowSize) return this.fresh(sensor.id, settings, stored.lastTs);
    try {
      const scorer = AnomalyScorer.fromState(baseline, {
        settings,
        sequence: stored.sequence,
        latest: stored.latest,
        lastLevel: stored.lastLevel,
        feedbackHistory: stored.feedbackHistory,
        feedbackStartedAt: stored.feedbackStartedAt,
      });
      return { scorer, committedTs: stored.lastTs, pending: false, historyUnsaved: false, critical: null };
    } catch (err) {
      // Its newest readings are gone (silent past the retention): it warms up again from where it was.
      this.logger.warn({ err, sensor: sensor.name }, "A sensor's scorer could not be resumed; it starts over");
      return this.fresh(sensor.id, settings, stored.lastTs);
    }
  }

  private fresh(sensorId: number, settings: AnomalySettings, committedTs: Date | null): Held {
    const scorer = AnomalyScorer.start(this.baselineFor(sensorId, settings.windowSize), settings);
    return { scorer, committedTs, pending: false, historyUnsaved: true, critical: null };
  }

  /** The held scorer, on the sensor's current settings (thresholds apply at once; a new window size starts over). */
  private fitted(sensor: SensorRef, held: Held | undefined): Held {
    const settings = settingsOf(sensor);
    if (!held) return this.fresh(sensor.id, settings, null);
    const current = held.scorer.settings;
    if (current.windowSize !== settings.windowSize) return this.fresh(sensor.id, settings, held.committedTs);
    if (current.warningPercent !== settings.warningPercent || current.criticalPercent !== settings.criticalPercent)
      return {
        ...held,
        scorer: AnomalyScorer.fromState(this.baselineFor(sensor.id, settings.windowSize), {
          ...held.scorer.state(),
          settings,
        }),
      };
    return held;
  }

  /** Brings the scorer's feedback mode to what operators set; true when a stretch was learned. */
  private followFeedbackMode(sensor: SensorRef, scorer: AnomalyScorer, systemEvents: SystemEventRow[]): boolean {
    if (sensor.feedbackMode === scorer.feedbackMode) return false;
    if (sensor.feedbackMode) {
      // Refused at the mutation before a window of readings; a scorer started over since then waits for one.
      if (scorer.sequence >= scorer.settings.windowSize) scorer.startFeedback();
      return false;
    }
    const outcome = scorer.stopFeedback();
    if (outcome.learned) {
      systemEvents.push({
        type: 'INFO',
        sensorId: sensor.id,
        message: `Sensor ${sensor.name} learned ${outcome.readings} readings as normal (100 % is now ${round(outcome.maxDistance)} ppmv, was ${round(outcome.previousMaxDistance)})`,
      });
      return true;
    }
    if (outcome.reason === 'LIMIT_EXCEEDED')
      systemEvents.push({
        type: 'ALERT_CRITICAL',
        sensorId: sensor.id,
        message: `Sensor ${sensor.name}: the ${outcome.readings} readings marked normal were not learned: they reach ${round(outcome.peak)} ppmv, at or above the feedback limit`,
      });
    return false;
  }

  /** The sensor's own baseline (selected or augmented) when it has one, else the seed it starts from; prepared once. */
  private baselineFor(sensorId: number, windowSize: number): PreparedBaseline {
    const own = this.custom.get(sensorId);
    if (own) {
      if (own.prepared?.windowSize !== windowSize)
        own.prepared = PreparedBaseline.prepare(own.stored.values, windowSize, own.stored.joints);
      return own.prepared;
    }
    let baseline = this.baselines.get(windowSize);
    if (!baseline) {
      baseline = PreparedBaseline.prepare(seedBaseline(INITIAL_BASELINE_NAME).values, windowSize);
      this.baselines.set(windowSize, baseline);
    }
    return baseline;
  }

  private async loadBaselines(sensorIds: readonly number[]): Promise<void> {
    const stored = await this.sensorBaselines.load(sensorIds);
    for (const id of sensorIds) {
      this.staleBaselines.delete(id);
      const row = stored.get(id);
      if (!row) this.custom.delete(id);
      else if (this.custom.get(id)?.stored.updatedAt.getTime() !== row.updatedAt.getTime())
        this.custom.set(id, { stored: row });
    }
  }

  private async followBaselineChanges(changes: AsyncIterableIterator<{ sensorId: number }>): Promise<void> {
    try {
      for await (const { sensorId } of changes) this.staleBaselines.add(sensorId);
    } catch (err) {
      this.logger.error({ err }, 'Following baseline changes stopped');
    }
  }

  private async announce(
    levels: readonly LiveAnomalyLevel[],
    events: readonly StoredSensorEvent[],
    systemEvents: readonly StoredSystemEvent[],
  ): Promise<void> {
    try {
      const bySensor = new Map<number, LiveAnomalyLevel[]>();
      for (const level of levels) {
        const list = bySensor.get(level.sensorId);
        if (list) list.push(level);
        else bySensor.set(level.sensorId, [level]);
      }
      for (const [sourceId, samples] of bySensor)
        await this.pubsub.publish(ANOMALY_LEVELS_ADDED, { sourceId, sourceCode: samples[0].sensorName, samples });
      for (const event of events)
        await this.pubsub.publish<LiveSensorEvent>(SENSOR_EVENT_ADDED, {
          ...event,
          sensorName: this.registry.findSensorById(event.sensorId)?.name ?? String(event.sensorId),
        });
      for (const event of systemEvents)
        await this.pubsub.publish<LiveSystemEvent>(SYSTEM_EVENT_ADDED, {
          ...event,
          sensorName: event.sensorId === null ? null : (this.registry.findSensorById(event.sensorId)?.name ?? null),
        });
    } catch (err) {
      this.logger.warn({ err }, 'Announcing anomaly levels failed (they are stored)');
    }
  }
}

function settingsOf(sensor: Pick<SensorRef, 'window'> & Partial<SensorRef>): AnomalySettings {
  return anomalySettings({
    windowSize: sensor.window,
    warningPercent: sensor.warningPercent,
    criticalPercent: sensor.criticalPercent,
  });
}

function levelOf(scored: ScoredReading): Pick<LiveAnomalyLevel, 'level' | 'percent' | 'feedback'> {
  return { level: scored.level, percent: scored.percent, feedback: scored.feedbackMode };
}

const round = (x: number) => Math.round(x * 100) / 100;
