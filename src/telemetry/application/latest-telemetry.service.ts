import { Injectable } from '@nestjs/common';
import type { MachineRef } from '../../machines/domain/machine.js';
import { MachinesService } from '../../machines/application/machines.service.js';
import { SampleIngestion } from '../../shared/ingestion/sample-ingestion.service.js';
import type { AxisSample, ElectricalSample, ToolSample } from '../domain/samples.js';
import type { LiveSample } from './live-telemetry.service.js';
import { AXIS_KIND, ELECTRICAL_KIND, TOOL_KIND } from './telemetry-kinds.js';

export interface MachineLatestTelemetry {
  machine: MachineRef;
  electrical: LiveSample<ElectricalSample> | null;
  /** By axis name. */
  axes: LiveSample<AxisSample>[];
  tool: LiveSample<ToolSample> | null;
}

/**
 * The newest sample per machine (per machine and axis for axes) for a dashboard's first
 * paint, from the latest values the ingestion path keeps in memory for each kind.
 */
@Injectable()
export class LatestTelemetry {
  constructor(
    private readonly machines: MachinesService,
    private readonly ingestion: SampleIngestion,
  ) {}

  /** The given machines (an unknown code is a BAD_USER_INPUT), or every machine; by code. */
  of(machineCodes?: readonly string[] | null): MachineLatestTelemetry[] {
    const machines = machineCodes?.length ? this.machines.requireByCodes(machineCodes) : this.machines.allRefs();
    const electrical = this.ingestion.kind<ElectricalSample>(ELECTRICAL_KIND).latest;
    const axes = this.ingestion.kind<AxisSample>(AXIS_KIND).latest;
    const tool = this.ingestion.kind<ToolSample>(TOOL_KIND).latest;
    return machines
      .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
      .map((machine) => {
        const live = <S extends object>(sample: S): LiveSample<S> => ({ ...sample, machineCode: machine.code });
        const [latestElectrical] = electrical.of(machine.id);
        const [latestTool] = tool.of(machine.id);
        return {
          machine,
          electrical: latestElectrical ? live(latestElectrical) : null,
          axes: axes.of(machine.id).map(live),
          tool: latestTool ? live(latestTool) : null,
        };
      });
  }
}
