import { Injectable } from '@nestjs/common';
import type { PageResult } from '../../shared/graphql/pagination.js';
import type { SamplesAdded } from '../../shared/ingestion/sample-kind.js';
import { SampleStream } from '../../shared/ingestion/sample-stream.js';
import { MetricsService } from '../../shared/observability/metrics.service.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import type { AnomalyLevel } from '../domain/anomaly-level.js';
import type { Sensor } from '../domain/registry.js';
import {
  AnomalyLevelRepository,
  type StoredSensorEvent,
  type StoredSystemEvent,
  type SystemEventType,
} from './anomaly-levels.ports.js';
import {
  AnomalyLevelsService,
  type LiveAnomalyLevel,
  type LiveSensorEvent,
  type LiveSystemEvent,
} from './anomaly-levels.service.js';
import { ANOMALY_LEVELS_ADDED, SENSOR_EVENT_ADDED, SYSTEM_EVENT_ADDED } from './leak-kinds.js';
import { LeakRegistryService } from './leak-registry.service.js';

type Page = { offset: number; limit: number };

export interface SensorEventQuery {
  sensorNames?: readonly string[] | null;
  levels?: readonly AnomalyLevel[] | null;
  from?: Date | null;
  to?: Date | null;
}

export interface SystemEventQuery {
  types?: readonly SystemEventType[] | null;
  sensorNames?: readonly string[] | null;
  from?: Date | null;
  to?: Date | null;
}

export interface LiveLevelFilter {
  sensorNames?: readonly string[] | null;
  levels?: readonly AnomalyLevel[] | null;
  maxRatePerSecond?: number | null;
}

/** About a minute of 1,000 sensors at one reading a second. */
const MAX_QUEUED_PER_SUBSCRIPTION = 60_000;

/**
 * What the anomaly levels produce, as operators read it: sensor events (a level changed),
 * system events (notices), the live streams of levels and events, and feedback mode.
 */
@Injectable()
export class LeakEventsService {
  private readonly dropped;

  constructor(
    private readonly repository: AnomalyLevelRepository,
    private readonly registry: LeakRegistryService,
    private readonly levels: AnomalyLevelsService,
    private readonly pubsub: PubSub,
    metrics: MetricsService,
  ) {
    this.dropped = metrics.counter(
      'plantgraph_live_samples_dropped_total',
      'Samples dropped for subscribers that could not keep up',
    );
  }

  async sensorEvents(query: SensorEventQuery, page: Page): Promise<PageResult<LiveSensorEvent>> {
    const sensorIds = this.idsOf(query.sensorNames);
    const result = await this.repository.sensorEvents(
      {
        sensorIds,
        levels: query.levels?.length ? query.levels : undefined,
        from: query.from ?? undefined,
        to: query.to ?? undefined,
      },
      page,
    );
    return { ...result, items: result.items.map((event) => this.named(event)) };
  }

  async systemEvents(query: SystemEventQuery, page: Page): Promise<PageResult<LiveSystemEvent>> {
    const result = await this.repository.systemEvents(
      {
        types: query.types?.length ? query.types : undefined,
        sensorIds: this.idsOf(query.sensorNames),
        from: query.from ?? undefined,
        to: query.to ?? undefined,
      },
      page,
    );
    return { ...result, items: result.items.map((event) => this.namedSystem(event)) };
  }

  /** Scored readings as they are committed; the sensors are checked up front (an unknown one is refused). */
  liveLevels(filter: LiveLevelFilter): AsyncIterableIterator<LiveAnomalyLevel> {
    if (filter.sensorNames?.length) this.registry.requireSensorsByName(filter.sensorNames);
    const levels = filter.levels?.length ? new Set(filter.levels) : undefined;
    return new SampleStream<LiveAnomalyLevel>(
      this.pubsub.subscribe<SamplesAdded<LiveAnomalyLevel>>(ANOMALY_LEVELS_ADDED),
      {
        sourceCodes: filter.sensorNames?.length ? new Set(filter.sensorNames) : undefined,
        accept: levels && ((level) => levels.has(level.level)),
        maxRatePerSecond: filter.maxRatePerSecond ?? undefined,
        key: (level) => level.sensorId,
        maxQueued: MAX_QUEUED_PER_SUBSCRIPTION,
        onDropped: (count) => this.dropped.inc(count),
      },
    );
  }

  liveSensorEvents(sensorNames?: readonly string[] | null): AsyncIterableIterator<LiveSensorEvent> {
    if (sensorNames?.length) this.registry.requireSensorsByName(sensorNames);
    return this.pubsub.subscribe<LiveSensorEvent>(SENSOR_EVENT_ADDED);
  }

  liveSystemEvents(): AsyncIterableIterator<LiveSystemEvent> {
    return this.pubsub.subscribe<LiveSystemEvent>(SYSTEM_EVENT_ADDED);
  }

  /**
   * "This stretch is normal": turning it on is refused until the sensor's scorer has seen a
   * window of readings; the sensor's owner follows the setting at its next reading, and
   * learns the stretch when it is turned off (a system event says so).
   */
  async setFeedbackMode(sensorName: string, on: boolean): Promise<Sensor> {
    const [sensor] = this.registry.requireSensorsByName([sensorName], 'sensorName');
    if (on) await this.levels.checkFeedbackAvailable(sensor);
    return this.registry.setFeedbackMode(sensor.id, on);
  }

  private idsOf(names: readonly string[] | null | undefined): number[] | undefined {
    return names?.length ? this.registry.requireSensorsByName(names).map((s) => s.id) : undefined;
  }

  private named(event: StoredSensorEvent): LiveSensorEvent {
    return { ...event, sensorName: this.registry.findSensorById(event.sensorId)?.name ?? String(event.sensorId) };
  }

  private namedSystem(event: StoredSystemEvent): LiveSystemEvent {
    const sensorName = event.sensorId === null ? null : (this.registry.findSensorById(event.sensorId)?.name ?? null);
    return { ...event, sensorName };
  }
}
