import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { AxisName, MachineRef } from '../../machines/domain/machine.js';
import { MachinesService } from '../../machines/application/machines.service.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import type { AxisSample, ElectricalSample, ToolSample } from '../domain/samples.js';
import { CommittedSamples } from './committed-samples.js';
import { SampleStore } from './ingestion.ports.js';
import { machinesByCodes } from './machine-codes.js';
import {
  AXIS_SAMPLES_ADDED,
  ELECTRICAL_SAMPLES_ADDED,
  TOOL_SAMPLES_ADDED,
  type LiveSample,
  type SamplesAdded,
} from './live-telemetry.js';

export interface MachineLatestTelemetry {
  machine: MachineRef;
  electrical: LiveSample<ElectricalSample> | null;
  /** By axis name. */
  axes: LiveSample<AxisSample>[];
  tool: LiveSample<ToolSample> | null;
}

/** How far back the start looks for a machine's latest samples: a machine silent for longer shows none. */
const LOAD_WINDOW_MS = 2 * 86_400_000;

/**
 * The newest sample per machine (per machine and axis for axes), in memory, for a
 * dashboard's first paint. Loaded at start with one bounded query per table, then kept
 * current from committed samples — and from other replicas' live events, which is what
 * makes it complete when shared subscriptions split the telemetry between replicas.
 * An older sample (replayed, late) never replaces a newer one.
 */
@Injectable()
export class LatestTelemetry implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LatestTelemetry.name);
  private readonly electrical = new Map<number, ElectricalSample>();
  private readonly axes = new Map<number, Map<AxisName, AxisSample>>();
  private readonly tool = new Map<number, ToolSample>();
  private readonly followed: AsyncIterableIterator<unknown>[] = [];

  constructor(
    private readonly machines: MachinesService,
    private readonly store: SampleStore,
    private readonly committed: CommittedSamples,
    private readonly pubsub: PubSub,
  ) {}

  async onModuleInit(): Promise<void> {
    // Listening first: whichever of a sample and the load comes later, the newer sample stays.
    this.committed.onElectrical(async (samples) => this.applyElectrical(samples));
    this.committed.onAxis(async (samples) => this.applyAxes(samples));
    this.committed.onTool(async (samples) => this.applyTool(samples));
    this.follow<ElectricalSample>(ELECTRICAL_SAMPLES_ADDED, (samples) => this.applyElectrical(samples));
    this.follow<AxisSample>(AXIS_SAMPLES_ADDED, (samples) => this.applyAxes(samples));
    this.follow<ToolSample>(TOOL_SAMPLES_ADDED, (samples) => this.applyTool(samples));
    const ids = this.machines.allRefs().map((machine) => machine.id);
    const latest = await this.store.latest(ids, new Date(Date.now() - LOAD_WINDOW_MS));
    this.applyElectrical(latest.electrical);
    this.applyAxes(latest.axes);
    this.applyTool(latest.tool);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.followed.map((events) => events.return?.()));
  }

  /** The given machines (an unknown code is a BAD_USER_INPUT), or every machine; by code. */
  of(machineCodes?: readonly string[] | null): MachineLatestTelemetry[] {
    const machines = machineCodes?.length ? machinesByCodes(this.machines, machineCodes) : this.machines.allRefs();
    return machines
      .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
      .map((machine) => {
        const live = <S extends object>(sample: S): LiveSample<S> => ({ ...sample, machineCode: machine.code });
        const electrical = this.electrical.get(machine.id);
        const tool = this.tool.get(machine.id);
        const axes = [...(this.axes.get(machine.id)?.values() ?? [])].sort((a, b) => (a.axis < b.axis ? -1 : 1));
        return {
          machine,
          electrical: electrical ? live(electrical) : null,
          axes: axes.map(live),
          tool: tool ? live(tool) : null,
        };
      });
  }

  private applyElectrical(samples: readonly ElectricalSample[]): void {
    for (const sample of samples) keepNewer(this.electrical, sample.machineId, sample);
  }

  private applyAxes(samples: readonly AxisSample[]): void {
    for (const sample of samples) {
      let axes = this.axes.get(sample.machineId);
      if (!axes) this.axes.set(sample.machineId, (axes = new Map()));
      keepNewer(axes, sample.axis, sample);
    }
  }

  private applyTool(samples: readonly ToolSample[]): void {
    for (const sample of samples) keepNewer(this.tool, sample.machineId, sample);
  }

  /**
   * Live events of every replica, this one's included (applying those again changes nothing).
   * An event whose machine id and code do not name the same machine here is not about this
   * registry (another deployment sharing the Redis) and is left out.
   */
  private follow<S>(topic: string, apply: (samples: readonly S[]) => void): void {
    const events = this.pubsub.subscribe<SamplesAdded<S>>(topic);
    this.followed.push(events);
    void (async () => {
      try {
        for await (const event of events)
          if (this.machines.findById(event.machineId)?.code === event.machineCode) apply(event.samples);
      } catch (error) {
        this.logger.error(`Following ${topic} stopped: ${(error as Error).message}`);
      }
    })();
  }
}

function keepNewer<K, S extends { ts: Date }>(latest: Map<K, S>, key: K, sample: S): void {
  const current = latest.get(key);
  if (!current || current.ts.getTime() <= sample.ts.getTime()) latest.set(key, sample);
}
