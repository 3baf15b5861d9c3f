import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { AxisName } from '../../machines/domain/machine.js';
import { MachinesService } from '../../machines/application/machines.service.js';
import { LogThrottle } from '../../shared/mqtt/log-throttle.js';
import { MetricsService } from '../../shared/observability/metrics.service.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import type { AxisSample, ElectricalSample, ToolSample } from '../domain/samples.js';
import { CommittedSamples } from './committed-samples.js';
import { machinesByCodes } from './machine-codes.js';
import { SampleStream, type SamplesAdded } from './sample-stream.js';

export const ELECTRICAL_SAMPLES_ADDED = 'telemetry.electricalSamplesAdded';
export const AXIS_SAMPLES_ADDED = 'telemetry.axisSamplesAdded';
export const TOOL_SAMPLES_ADDED = 'telemetry.toolSamplesAdded';

/** A sample as subscribers receive it: with its machine's code, built once per event. */
export type LiveSample<S> = S & { machineCode: string };
export type { SamplesAdded } from './sample-stream.js';

export interface LiveFilter {
  machineCodes?: readonly string[] | null;
  maxRatePerSecond?: number | null;
}

export interface LiveAxisFilter extends LiveFilter {
  axes?: readonly AxisName[] | null;
}

/** Samples a slow subscriber may have waiting before the oldest are dropped (about a minute of 20 machines at 10 Hz). */
const MAX_QUEUED_PER_SUBSCRIPTION = 10_000;

/**
 * Live samples for GraphQL subscriptions. After each committed batch it publishes one event
 * per machine and kind (not one per sample: the PubSub, and Redis across replicas, carry a
 * batch's samples at the cost of one event), holding the samples already shaped for
 * subscribers; each subscription flattens, filters and optionally coalesces them.
 */
@Injectable()
export class LiveTelemetry implements OnModuleInit {
  private readonly logger = new Logger(LiveTelemetry.name);
  private readonly publishLog = new LogThrottle(60_000);
  private readonly dropped;

  constructor(
    private readonly pubsub: PubSub,
    private readonly machines: MachinesService,
    private readonly committed: CommittedSamples,
    metrics: MetricsService,
  ) {
    this.dropped = metrics.counter(
      'plantgraph_live_samples_dropped_total',
      'Samples dropped for subscribers that could not keep up',
    );
  }

  onModuleInit(): void {
    this.committed.onElectrical(async (samples) => this.publish(ELECTRICAL_SAMPLES_ADDED, samples));
    this.committed.onAxis(async (samples) => this.publish(AXIS_SAMPLES_ADDED, samples));
    this.committed.onTool(async (samples) => this.publish(TOOL_SAMPLES_ADDED, samples));
  }

  electricalSamples(filter: LiveFilter): AsyncIterableIterator<LiveSample<ElectricalSample>> {
    return this.stream<ElectricalSample>(ELECTRICAL_SAMPLES_ADDED, filter, (s) => s.machineId);
  }

  axisSamples(filter: LiveAxisFilter): AsyncIterableIterator<LiveSample<AxisSample>> {
    const axes = filter.axes?.length ? new Set(filter.axes) : undefined;
    return this.stream<AxisSample>(
      AXIS_SAMPLES_ADDED,
      filter,
      (s) => `${s.machineId}|${s.axis}`,
      axes && ((s) => axes.has(s.axis)),
    );
  }

  private stream<S extends { machineId: number }>(
    topic: string,
    filter: LiveFilter,
    key: (sample: S) => string | number,
    accept?: (sample: LiveSample<S>) => boolean,
  ): SampleStream<LiveSample<S>> {
    // Checked once, when the subscription starts; events are then filtered by code.
    if (filter.machineCodes?.length) machinesByCodes(this.machines, filter.machineCodes);
    return new SampleStream<LiveSample<S>>(this.pubsub.subscribe<SamplesAdded<LiveSample<S>>>(topic), {
      machineCodes: filter.machineCodes?.length ? new Set(filter.machineCodes) : undefined,
      accept,
      maxRatePerSecond: filter.maxRatePerSecond ?? undefined,
      key,
      maxQueued: MAX_QUEUED_PER_SUBSCRIPTION,
      onDropped: (count) => this.dropped.inc(count),
    });
  }

  /**
   * Samples arrive sorted by machine, so each machine's are one run. Publishing is not
   * awaited: live events are best effort, and a slow or absent Redis must not hold back
   * acknowledging what is already stored (ioredis keeps the order of its commands).
   */
  private publish<S extends ElectricalSample | AxisSample | ToolSample>(topic: string, samples: readonly S[]): void {
    for (let start = 0; start < samples.length;) {
      const machineId = samples[start].machineId;
      let end = start + 1;
      while (end < samples.length && samples[end].machineId === machineId) end++;
      const machine = this.machines.findById(machineId);
      if (machine) {
        const live = new Array<LiveSample<S>>(end - start);
        for (let i = start; i < end; i++) live[i - start] = { ...samples[i], machineCode: machine.code };
        const event: SamplesAdded<LiveSample<S>> = { machineId, machineCode: machine.code, samples: live };
        this.pubsub.publish(topic, event).catch((error: Error) => this.publishFailed(topic, error));
      }
      start = end;
    }
  }

  private publishFailed(topic: string, error: Error): void {
    const suppressed = this.publishLog.take(topic);
    if (suppressed !== undefined)
      this.logger.warn(
        `Publishing ${topic} failed: ${error.message}${suppressed ? ` (${suppressed} more not logged)` : ''}`,
      );
  }
}
