import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import type { Principal } from '../../shared/auth/principal.js';
import { ALL_PERMISSIONS, PERMISSIONS } from '../../shared/auth/permissions.js';
import { JobService, type JobContext } from '../../shared/jobs/job.service.js';
import type { Job } from '../../shared/jobs/jobs.js';
import { WorkerPool } from '../../shared/jobs/worker-pool.service.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import { anomalySettings } from '../domain/anomaly-scoring.js';
import type { AugmentedBaseline } from '../domain/baseline-augmentation.js';
import type { BaselineSelection } from '../domain/baseline-selection.js';
import type { SensorRef } from '../domain/registry.js';
import {
  INITIAL_BASELINE_NAME,
  SEED_BASELINE_NAMES,
  seedBaseline,
  type SeedBaselineName,
} from '../domain/seed-baselines.js';
import { seriesStatistics } from '../domain/series-statistics.js';
import { AnomalyLevelsService } from './anomaly-levels.service.js';
import { LEAK_BASELINE_CHANGED } from './leak-kinds.js';
import { LeakRegistryService } from './leak-registry.service.js';
import { ImportedReadingsRepository } from './readings-import.ports.js';
import { SensorBaselineRepository, type StoredBaseline } from './sensor-baselines.ports.js';

export const SELECT_BASELINE_JOB = 'leak-baseline-selection';
export const AUGMENT_BASELINE_JOB = 'leak-baseline-augmentation';
/**
 * Readings a baseline job reads at most (the oldest of the last 30 days): cleaning is an O(n²)
 * matrix profile, about 3 s of one worker thread at 50,000 (README, bench:matrix-profile).
 */
export const BASELINE_MAX_READINGS = 50_000;
const LOOK_BACK_MS = 30 * 86_400_000;

export interface BaselineInfo {
  sensorName: string;
  name: string;
  source: 'SEED' | 'SELECTED' | 'AUGMENTED';
  points: number;
  mean: number;
  variance: number;
  readingsUpTo: Date | null;
  updatedAt: Date | null;
}

/** Who starts the scheduled jobs (jobs are listed with it as their creator; admins see them). */
const SCHEDULER: Principal = {
  id: '00000000-0000-0000-0000-000000000000',
  email: 'scheduler@plantgraph.local',
  displayName: 'Plantgraph (scheduled)',
  cardUid: null,
  roles: [],
  permissions: new Set(ALL_PERMISSIONS),
};

/** Published when a sensor's baseline changed: its owner's scorer moves onto it at the next reading. */
export interface BaselineChanged {
  sensorId: number;
}

/**
 * A sensor's baseline (reference C.3): it starts as the seeded `high`; a selection job picks the
 * seeded candidate that fits its cleaned readings best (domain/baseline-selection.ts), an
 * augmentation job appends its cleaned readings since the last one and keeps a week
 * (domain/baseline-augmentation.ts). Both run as long jobs (shared/jobs) in a worker thread,
 * write the baseline in the job's one transaction, and tell the sensor's owner.
 */
@Injectable()
export class SensorBaselinesService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SensorBaselinesService.name);
  private readonly augmentEveryMs: number;
  private timer?: NodeJS.Timeout;
  /** When this replica first saw each sensor still on its seed baseline. */
  private readonly firstSeen = new Map<number, number>();
  /** When this replica last started a scheduled augmentation per sensor. */
  private readonly scheduledAt = new Map<number, number>();

  constructor(
    private readonly baselines: SensorBaselineRepository,
    private readonly readings: ImportedReadingsRepository,
    private readonly registry: LeakRegistryService,
    private readonly levels: AnomalyLevelsService,
    private readonly jobs: JobService,
    private readonly pool: WorkerPool,
    private readonly pubsub: PubSub,
    config: AppConfig,
  ) {
    this.augmentEveryMs = config.LEAK_BASELINE_AUGMENT_SECONDS * 1000;
  }

  onApplicationBootstrap(): void {
    if (!this.augmentEveryMs) return;
    const checkEveryMs = Math.max(1000, Math.min(this.augmentEveryMs, 60_000));
    this.timer = setInterval(
      () =>
        void this.augmentDue().catch((err) => this.logger.warn({ err }, 'Scheduling baseline augmentations failed')),
      checkEveryMs,
    ).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /**
   * The schedule (LEAK_BASELINE_AUGMENT_SECONDS): each sensor's owner starts an augmentation job
   * when the baseline's last change is that old (for a sensor still on its seed: since this
   * replica first saw it) and two windows of readings came in since; never while the sensor is
   * at WARNING or CRITICAL (a leak must not be learned).
   */
  async augmentDue(now = Date.now()): Promise<void> {
    const owned = this.levels.ownedSensors().filter((s) => s.lastLevel === 'OK' || s.lastLevel === 'UNDEFINED');
    if (!owned.length) return;
    const stored = await this.baselines.load(owned.map((s) => s.sensorId));
    for (const { sensorId } of owned) {
      const sensor = this.registry.findSensorById(sensorId);
      if (!sensor || now - (this.scheduledAt.get(sensorId) ?? -Infinity) < this.augmentEveryMs) continue;
      const row = stored.get(sensorId);
      // From the baseline's last change; a sensor still on its seed, from when this replica first saw it.
      if (!row && !this.firstSeen.has(sensorId)) this.firstSeen.set(sensorId, now);
      const changedAt = row ? row.updatedAt.getTime() : this.firstSeen.get(sensorId)!;
      if (now - changedAt < this.augmentEveryMs) continue;
      const since = row?.readingsUpTo ? new Date(row.readingsUpTo.getTime() + 1) : new Date(now - LOOK_BACK_MS);
      const fresh = await this.readings.series(sensorId, { from: since }, 2 * sensor.window);
      if (fresh.ppmv.length < 2 * sensor.window) continue;
      this.scheduledAt.set(sensorId, now);
      await this.jobs.start(AUGMENT_BASELINE_JOB, { sensorName: sensor.name }, SCHEDULER);
    }
  }

  onModuleInit(): void {
    this.jobs.register<{ sensorName: string }, Record<string, unknown>>({
      name: SELECT_BASELINE_JOB,
      permission: PERMISSIONS.LEAKS_OPERATE,
      run: ({ sensorName }, job) => this.select(sensorName, job),
    });
    this.jobs.register<{ sensorName: string }, Record<string, unknown>>({
      name: AUGMENT_BASELINE_JOB,
      permission: PERMISSIONS.LEAKS_OPERATE,
      run: ({ sensorName }, job) => this.augment(sensorName, job),
    });
  }

  async info(sensorName: string): Promise<BaselineInfo> {
    const [sensor] = this.registry.requireSensorsByName([sensorName], 'sensorName');
    const stored = (await this.baselines.load([sensor.id])).get(sensor.id);
    const values = stored?.values ?? seedBaseline(INITIAL_BASELINE_NAME).values;
    return {
      sensorName,
      name: stored?.name ?? INITIAL_BASELINE_NAME,
      source: stored?.source ?? 'SEED',
      points: values.length,
      ...seriesStatistics(values),
      readingsUpTo: stored?.readingsUpTo ?? null,
      updatedAt: stored?.updatedAt ?? null,
    };
  }

  start(
    kind: typeof SELECT_BASELINE_JOB | typeof AUGMENT_BASELINE_JOB,
    sensorName: string,
    user: Principal,
  ): Promise<Job> {
    this.registry.requireSensorsByName([sensorName], 'sensorName');
    return this.jobs.start(kind, { sensorName }, user);
  }

  private async select(sensorName: string, job: JobContext): Promise<Record<string, unknown>> {
    const sensor = this.sensor(sensorName);
    const current = (await this.baselines.load([sensor.id])).get(sensor.id);
    const series = await this.readings.series(
      sensor.id,
      { from: new Date(Date.now() - LOOK_BACK_MS) },
      BASELINE_MAX_READINGS,
      { background: true },
    );
    job.progress(0, `cleaning ${series.ppmv.length} readings`);
    const selection = await this.pool.run<BaselineSelection>({
      module: new URL('../domain/baseline-tasks.js', import.meta.url),
      fn: 'selectBaselineTask',
      args: [
        series.ppmv,
        SEED_BASELINE_NAMES.map((name) => seedBaseline(name)),
        {
          settings: this.settings(sensor),
          current: current?.source === 'SELECTED' ? current.name : INITIAL_BASELINE_NAME,
        },
      ],
      transfer: [series.ppmv.buffer as ArrayBuffer],
      onProgress: (fraction) => job.progress(fraction * 0.95, 'selecting'),
      signal: job.signal,
      background: true,
    });
    const summary = { sensorName, ...selection };
    if (selection.outcome !== 'SELECTED') return job.commit(async () => summary);
    const seed = seedBaseline(selection.name as SeedBaselineName);
    await job.commit(async () => {
      await this.baselines.save({
        sensorId: sensor.id,
        name: seed.name,
        source: 'SELECTED',
        values: seed.values,
        joints: [],
        readingsUpTo: null,
      });
      return summary;
    });
    await this.changed(
      sensor.id,
      `Sensor ${sensorName} now scores against the ${seed.name} baseline (error ${selection.error.toFixed(2)})`,
    );
    return summary;
  }

  private async augment(sensorName: string, job: JobContext): Promise<Record<string, unknown>> {
    const sensor = this.sensor(sensorName);
    const current = (await this.baselines.load([sensor.id])).get(sensor.id);
    const base = this.baselineOf(current);
    const since = current?.readingsUpTo
      ? new Date(current.readingsUpTo.getTime() + 1)
      : new Date(Date.now() - LOOK_BACK_MS);
    const series = await this.readings.series(sensor.id, { from: since }, BASELINE_MAX_READINGS, {
      background: true,
    });
    const newest = series.times.length ? new Date(series.times[series.times.length - 1]) : null;
    job.progress(0, `cleaning ${series.ppmv.length} readings`);
    const augmented = await this.pool.run<AugmentedBaseline>({
      module: new URL('../domain/baseline-tasks.js', import.meta.url),
      fn: 'augmentBaselineTask',
      args: [base, series.ppmv, { windowSize: sensor.window }],
      transfer: [series.ppmv.buffer as ArrayBuffer],
      onProgress: (fraction) => job.progress(fraction * 0.95, 'augmenting'),
      signal: job.signal,
      background: true,
    });
    const summary = {
      sensorName,
      added: augmented.added,
      dropped: augmented.dropped,
      points: augmented.values.length,
      mean: augmented.mean,
      variance: augmented.variance,
      cleaning: augmented.cleaning,
    };
    await job.commit(async () => {
      await this.baselines.save({
        sensorId: sensor.id,
        name: 'augmented',
        source: 'AUGMENTED',
        values: augmented.values,
        joints: augmented.joints,
        readingsUpTo: newest,
      });
      return summary;
    });
    await this.changed(
      sensor.id,
      `Sensor ${sensorName}'s baseline learned ${augmented.added} cleaned readings (${augmented.values.length} points kept)`,
    );
    return summary;
  }

  private baselineOf(stored: StoredBaseline | undefined): { values: Float64Array; joints: number[] } {
    if (stored) return { values: stored.values, joints: stored.joints };
    return { values: seedBaseline(INITIAL_BASELINE_NAME).values, joints: [] };
  }

  private sensor(sensorName: string): SensorRef {
    return this.registry.requireSensorsByName([sensorName], 'sensorName')[0];
  }

  private settings(sensor: SensorRef) {
    return anomalySettings({
      windowSize: sensor.window,
      warningPercent: sensor.warningPercent,
      criticalPercent: sensor.criticalPercent,
    });
  }

  /** After the commit: the owner (this replica or another) moves the scorer; operators get a notice. */
  private async changed(sensorId: number, message: string): Promise<void> {
    await this.levels.baselineChanged(sensorId);
    await this.pubsub.publish<BaselineChanged>(LEAK_BASELINE_CHANGED, { sensorId });
    await this.levels.raiseSystemEvent({ type: 'INFO', sensorId, message });
  }
}
