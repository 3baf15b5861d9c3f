import { Injectable } from '@nestjs/common';
import type { AxisSample, ElectricalSample, ToolSample } from '../domain/samples.js';

type Listener<T> = (samples: readonly T[]) => Promise<void>;

/**
 * In-process hand-off after a batch of samples is committed: the ingestion service calls
 * it with the samples that were new (duplicates removed, in time order per machine), and
 * derived-state services (machine state, live subscriptions, latest values) listen.
 * The MQTT message is acknowledged only after every listener has finished.
 */
@Injectable()
export class CommittedSamples {
  private readonly electrical: Listener<ElectricalSample>[] = [];
  private readonly axis: Listener<AxisSample>[] = [];
  private readonly tool: Listener<ToolSample>[] = [];

  onElectrical(listener: Listener<ElectricalSample>): void {
    this.electrical.push(listener);
  }

  onAxis(listener: Listener<AxisSample>): void {
    this.axis.push(listener);
  }

  onTool(listener: Listener<ToolSample>): void {
    this.tool.push(listener);
  }

  async electricalCommitted(samples: readonly ElectricalSample[]): Promise<void> {
    if (samples.length) for (const listener of this.electrical) await listener(samples);
  }

  async axisCommitted(samples: readonly AxisSample[]): Promise<void> {
    if (samples.length) for (const listener of this.axis) await listener(samples);
  }

  async toolCommitted(samples: readonly ToolSample[]): Promise<void> {
    if (samples.length) for (const listener of this.tool) await listener(samples);
  }
}
