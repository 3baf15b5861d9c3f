import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { MachinesService } from '../machines/application/machines.service.js';
import type { MachineRef } from '../machines/domain/machine.js';
import type { SampleKind } from '../shared/ingestion/sample-kind.js';
import { SampleIngestion } from '../shared/ingestion/sample-ingestion.service.js';
import {
  AXIS_SAMPLES_ADDED,
  ELECTRICAL_SAMPLES_ADDED,
  TOOL_SAMPLES_ADDED,
} from './application/live-telemetry.service.js';
import { axisSamples, electricalSamples, lookUpMachine, toolSamples } from './application/machine-samples.js';
import { MachineStateService } from './application/machine-state.service.js';
import { AXIS_KIND, ELECTRICAL_KIND, TOOL_KIND } from './application/telemetry-kinds.js';
import type { AxesReading, ElectricalReading, ToolReading } from './application/telemetry-readings.js';
import type { AxisSample, ElectricalSample, ToolSample } from './domain/samples.js';
import { AXIS_SAMPLES, ELECTRICAL_SAMPLES, TOOL_SAMPLES } from './infrastructure/machine-samples.tables.js';
import { parseAxes, parseElectrical, parseTool } from './presentation/telemetry-payloads.js';

/** How far back the start looks for a machine's latest samples: a machine silent for longer shows none. */
const LATEST_WINDOW_MS = 2 * 86_400_000;

/**
 * Telemetry's three sample kinds, each one declaration (shared/ingestion/sample-kind.ts):
 * `{PLANT_MQTT_ROOT}/machines/{code}/electrical|axes|tool` (PROTOCOLS.md section A), parsed
 * at the edge (presentation/telemetry-payloads.ts), turned into samples of the machine the
 * code names (application/machine-samples.ts), stored in their partitioned tables
 * (infrastructure/machine-samples.tables.ts). Machine state is the electrical kind's derived stage.
 * Registered before MQTT connects; samples of a deleted machine go with it.
 */
@Injectable()
export class TelemetrySampleKinds implements OnModuleInit {
  constructor(
    private readonly ingestion: SampleIngestion,
    private readonly machines: MachinesService,
    private readonly machineState: MachineStateService,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.register<ElectricalReading, ElectricalSample>({
      name: ELECTRICAL_KIND,
      topic: this.topic('electrical'),
      parse: parseElectrical,
      samples: (machine, readings) => electricalSamples(machine, readings),
      table: ELECTRICAL_SAMPLES,
      live: this.live<ElectricalSample>(ELECTRICAL_SAMPLES_ADDED),
      derived: [this.machineState],
      ...this.machineSource(),
    });
    await this.register<AxesReading, AxisSample>({
      name: AXIS_KIND,
      topic: this.topic('axes'),
      parse: parseAxes,
      samples: axisSamples,
      table: AXIS_SAMPLES,
      partOf: (sample) => sample.axis,
      live: this.live<AxisSample>(AXIS_SAMPLES_ADDED),
      ...this.machineSource(),
    });
    await this.register<ToolReading, ToolSample>({
      name: TOOL_KIND,
      topic: this.topic('tool'),
      parse: parseTool,
      samples: (machine, readings) => toolSamples(machine, readings),
      table: TOOL_SAMPLES,
      live: this.live<ToolSample>(TOOL_SAMPLES_ADDED),
      ...this.machineSource(),
    });
  }

  private async register<R, S extends { ts: Date; machineId: number }>(
    kind: SampleKind<R, S, MachineRef>,
  ): Promise<void> {
    const { stored } = await this.ingestion.register(kind);
    this.machines.registerDeletionParticipant({
      what: `${kind.name} samples`,
      count: (machineId) => stored.countOf(machineId),
      delete: (machineId) => stored.deleteOf(machineId),
    });
  }

  private topic(kind: 'electrical' | 'axes' | 'tool'): string {
    return `${this.config.PLANT_MQTT_ROOT}/machines/+code/${kind}`;
  }

  private live<S>(topic: string) {
    return {
      topic,
      shape: (sample: S, machineCode: string) => ({ ...sample, machineCode }),
      codeOf: (id: number) => this.machines.findById(id)?.code,
    };
  }

  /** What the three kinds share: the machine is the source, found by the topic's code in the in-memory directory. */
  private machineSource() {
    return {
      lookup: ({ code }: Readonly<Record<string, string>>) => lookUpMachine(this.machines.findByCode(code), code),
      idOf: (machine: MachineRef) => machine.id,
      sourceOf: (sample: { machineId: number }) => sample.machineId,
      allSources: () => this.machines.allRefs().map((machine) => machine.id),
      partitions: {
        daysAhead: this.config.TELEMETRY_PARTITION_DAYS_AHEAD,
        retentionDays: this.config.TELEMETRY_RETENTION_DAYS,
      },
      latestWindowMs: LATEST_WINDOW_MS,
      seen: (machine: MachineRef, receivedAt: Date) => this.machines.markSeen([machine.id], receivedAt),
    };
  }
}
