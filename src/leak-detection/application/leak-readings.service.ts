import { Injectable } from '@nestjs/common';
import { planHistory, type HistoryRequest } from '../../shared/ingestion/history-window.js';
import type { SamplesAdded } from '../../shared/ingestion/sample-kind.js';
import { SampleIngestion } from '../../shared/ingestion/sample-ingestion.service.js';
import { SampleStream } from '../../shared/ingestion/sample-stream.js';
import { MetricsService } from '../../shared/observability/metrics.service.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import type { PpmvSample } from '../domain/readings.js';
import { PPMV_KIND, PPMV_READINGS_ADDED } from './leak-kinds.js';
import { LeakRegistryService } from './leak-registry.service.js';
import { ReadingHistoryRepository, type ReadingSeries } from './leak-readings.ports.js';

/** A reading as subscribers receive it: with its sensor's name, built once per event. */
export type LiveReading = PpmvSample & { sensorName: string };

export interface LiveReadingFilter {
  sensorNames?: readonly string[] | null;
  maxRatePerSecond?: number | null;
}

/** About a minute of 1,000 sensors at one reading a second. */
const MAX_QUEUED_PER_SUBSCRIPTION = 60_000;

/** Readings of the sensors: latest values (first paint), history by window with buckets, live. */
@Injectable()
export class LeakReadingsService {
  private readonly dropped;

  constructor(
    private readonly registry: LeakRegistryService,
    private readonly ingestion: SampleIngestion,
    private readonly history: ReadingHistoryRepository,
    private readonly pubsub: PubSub,
    metrics: MetricsService,
  ) {
    this.dropped = metrics.counter(
      'plantgraph_live_samples_dropped_total',
      'Samples dropped for subscribers that could not keep up',
    );
  }

  /** The newest reading of the given sensors (every sensor when none are given), by name. */
  latest(sensorNames?: readonly string[] | null): LiveReading[] {
    const sensors = sensorNames?.length ? this.registry.requireSensorsByName(sensorNames) : this.registry.allSensors();
    const latest = this.ingestion.kind<PpmvSample>(PPMV_KIND).latest;
    return sensors
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .flatMap((sensor) => latest.of(sensor.id).map((reading) => ({ ...reading, sensorName: sensor.name })));
  }

  async readings(
    sensorNames: readonly string[],
    request: HistoryRequest,
  ): Promise<Array<ReadingSeries & { sensorName: string }>> {
    const sensors = this.registry.requireSensorsByName(sensorNames);
    const plan = planHistory(request, new Date());
    const series = await this.history.history(
      sensors.map((s) => s.id),
      plan,
    );
    return series.map((s) => ({
      ...s,
      sensorName: this.registry.findSensorById(s.sensorId)?.name ?? String(s.sensorId),
    }));
  }

  live(filter: LiveReadingFilter): AsyncIterableIterator<LiveReading> {
    if (filter.sensorNames?.length) this.registry.requireSensorsByName(filter.sensorNames);
    return new SampleStream<LiveReading>(this.pubsub.subscribe<SamplesAdded<LiveReading>>(PPMV_READINGS_ADDED), {
      sourceCodes: filter.sensorNames?.length ? new Set(filter.sensorNames) : undefined,
      maxRatePerSecond: filter.maxRatePerSecond ?? undefined,
      key: (s) => s.sensorId,
      maxQueued: MAX_QUEUED_PER_SUBSCRIPTION,
      onDropped: (count) => this.dropped.inc(count),
    });
  }
}
