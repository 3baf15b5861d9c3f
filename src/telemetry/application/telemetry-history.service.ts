import { Injectable } from '@nestjs/common';
import { MachinesService } from '../../machines/application/machines.service.js';
import { AXIS_NAMES, type AxisName, type MachineRef } from '../../machines/domain/machine.js';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import {
  checkHistoryRequest,
  describeProblems,
  HISTORY_LIMITS,
  type HistoryPlan,
  type HistoryRequest,
} from '../../shared/ingestion/history-window.js';
import {
  AXIS_FIELDS,
  ELECTRICAL_FIELDS,
  TelemetryHistoryReader,
  TOOL_FIELDS,
  type AxisColumns,
  type AxisField,
  type ElectricalColumns,
  type ElectricalField,
  type StatName,
  type ToolColumns,
  type ToolField,
} from './telemetry-history.port.js';

export interface HistoryQuery<F extends string> extends HistoryRequest {
  machineCodes: readonly string[];
  /** The quantities to compute; all of them when omitted. */
  fields?: readonly F[];
  /** Of min/max/avg, those to compute per bucket; all of them when omitted. */
  stats?: readonly StatName[];
}

export interface AxisHistoryQuery extends HistoryQuery<AxisField> {
  /** Every combination of the machines and these axes; each machine's own axes when omitted. */
  axes?: readonly AxisName[] | null;
}

export interface History<S> {
  from: Date;
  to: Date;
  /** The bucket width; null for raw samples. */
  bucketSeconds: number | null;
  series: S[];
}

export type ElectricalSeries = ElectricalColumns & { machineCode: string };
export type AxisSeries = AxisColumns & { machineCode: string; axis: AxisName };
export type ToolSeries = ToolColumns & { machineCode: string };

/**
 * History of electrical, axis and tool samples for any combination of machines (and axes)
 * over a window: raw samples up to a limit per series, or min/max/avg per time bucket
 * computed by the database, so that a long window answers with a bounded number of points.
 */
@Injectable()
export class TelemetryHistoryService {
  constructor(
    private readonly machines: MachinesService,
    private readonly reader: TelemetryHistoryReader,
  ) {}

  async electrical(query: HistoryQuery<ElectricalField>): Promise<History<ElectricalSeries>> {
    const { machines, plan } = this.prepare(query);
    const fields = query.fields ?? ELECTRICAL_FIELDS;
    const columns = await this.reader.electrical({
      series: machines.map((m) => m.id),
      plan,
      fields,
      stats: query.stats,
    });
    return historyOf(
      plan,
      columns.map((series, i) => ({ machineCode: machines[i].code, ...series })),
    );
  }

  async axes(query: AxisHistoryQuery): Promise<History<AxisSeries>> {
    const { machines, plan } = this.prepare(query);
    const asked = query.axes ? [...new Set(query.axes)] : undefined;
    const keys = machines.flatMap((machine) =>
      (asked ?? AXIS_NAMES.filter((axis) => machine.axes.has(axis))).map((axis) => ({ machine, axis })),
    );
    const fields = query.fields ?? AXIS_FIELDS;
    const series = keys.map(({ machine, axis }) => ({ machineId: machine.id, axis }));
    const columns = await this.reader.axes({ series, plan, fields, stats: query.stats });
    return historyOf(
      plan,
      columns.map((series, i) => ({ machineCode: keys[i].machine.code, axis: keys[i].axis, ...series })),
    );
  }

  async tools(query: HistoryQuery<ToolField>): Promise<History<ToolSeries>> {
    const { machines, plan } = this.prepare(query);
    const fields = query.fields ?? TOOL_FIELDS;
    const columns = await this.reader.tools({ series: machines.map((m) => m.id), plan, fields, stats: query.stats });
    return historyOf(
      plan,
      columns.map((series, i) => ({ machineCode: machines[i].code, ...series })),
    );
  }

  /** The window and the machines, with every problem of the request named at once. */
  private prepare(query: HistoryQuery<string>): { machines: MachineRef[]; plan: HistoryPlan } {
    const { plan, problems = {} } = checkHistoryRequest(query, new Date());
    const codes = [...new Set(query.machineCodes)];
    const machines = codes.map((code) => this.machines.findByCode(code));
    const unknown = codes.filter((_, i) => !machines[i]);
    if (codes.length > HISTORY_LIMITS.maxSources)
      problems.machineCodes = `at most ${HISTORY_LIMITS.maxSources} machines at once`;
    else if (unknown.length) problems.machineCodes = `unknown: ${unknown.join(', ')}`;
    if (!plan || Object.keys(problems).length)
      throw new InvalidInputError(describeProblems('Invalid history request', problems), problems);
    return { machines: machines as MachineRef[], plan };
  }
}

function historyOf<S>(plan: HistoryPlan, series: S[]): History<S> {
  return {
    from: plan.from,
    to: plan.to,
    bucketSeconds: plan.mode === 'bucketed' ? plan.bucketMs / 1000 : null,
    series,
  };
}
