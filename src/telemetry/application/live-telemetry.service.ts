import { Injectable } from '@nestjs/common';
import type { AxisName } from '../../machines/domain/machine.js';
import { MachinesService } from '../../machines/application/machines.service.js';
import type { SamplesAdded } from '../../shared/ingestion/sample-kind.js';
import { SampleStream } from '../../shared/ingestion/sample-stream.js';
import { MetricsService } from '../../shared/observability/metrics.service.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import type { AxisSample, ElectricalSample } from '../domain/samples.js';

/** The live topics of the three kinds (telemetry.sample-kinds.ts publishes on them after each committed batch). */
export const ELECTRICAL_SAMPLES_ADDED = 'telemetry.electricalSamplesAdded';
export const AXIS_SAMPLES_ADDED = 'telemetry.axisSamplesAdded';
export const TOOL_SAMPLES_ADDED = 'telemetry.toolSamplesAdded';

/** A sample as subscribers receive it: with its machine's code, built once per event. */
export type LiveSample<S> = S & { machineCode: string };

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
 * Live samples for GraphQL subscriptions. The ingestion path publishes one event per
 * machine, kind and committed batch (not one per sample: the PubSub, and Redis across
 * replicas, carry a batch's samples at the cost of one event), holding the samples already
 * shaped for subscribers; each subscription flattens, filters and optionally coalesces them.
 */
@Injectable()
export class LiveTelemetry {
  private readonly dropped;

  constructor(
    private readonly pubsub: PubSub,
    private readonly machines: MachinesService,
    metrics: MetricsService,
  ) {
    this.dropped = metrics.counter(
      'plantgraph_live_samples_dropped_total',
      'Samples dropped for subscribers that could not keep up',
    );
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
    if (filter.machineCodes?.length) this.machines.requireByCodes(filter.machineCodes);
    return new SampleStream<LiveSample<S>>(this.pubsub.subscribe<SamplesAdded<LiveSample<S>>>(topic), {
      sourceCodes: filter.machineCodes?.length ? new Set(filter.machineCodes) : undefined,
      accept,
      maxRatePerSecond: filter.maxRatePerSecond ?? undefined,
      key,
      maxQueued: MAX_QUEUED_PER_SUBSCRIPTION,
      onDropped: (count) => this.dropped.inc(count),
    });
  }
}
