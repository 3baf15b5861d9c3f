import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { toCsv, type CsvColumn } from '../../shared/csv/csv.js';
import { MachinesService } from '../../machines/application/machines.service.js';
import { utcDay, type TimeWindow } from '../domain/machine-state-window.js';
import {
  completeTimeInState,
  plausibilityLimits,
  type ProductionFigures,
  type SpikeMargin,
} from '../domain/production-report.js';
import type { Shift } from '../domain/shift.js';
import { ProductionReportRepository } from './production-report.ports.js';
import { ShiftsService } from './shifts.service.js';

export interface ProductionReport extends ProductionFigures {
  machineCode: string;
  /** The shift reported on; null for a machine-day report. */
  shift: Shift | null;
}

/** Production figures per shift and per machine-day, as objects or CSV. */
@Injectable()
export class ProductionReportService {
  private readonly spikeMargin: SpikeMargin;

  constructor(
    private readonly repository: ProductionReportRepository,
    private readonly shifts: ShiftsService,
    private readonly machines: MachinesService,
    config: AppConfig,
  ) {
    this.spikeMargin = { current: config.PRODUCTION_SPIKE_MARGIN_AMPS, voltage: config.PRODUCTION_SPIKE_MARGIN_VOLTS };
  }

  async forShift(shiftId: number): Promise<ProductionReport> {
    const shift = await this.shifts.get(shiftId);
    return this.report(shift.machineId, { from: shift.startsAt, to: shift.endsAt }, shift);
  }

  forMachineDay(machineCode: string, date: string): Promise<ProductionReport> {
    const machine = this.machines.requireByCode(machineCode);
    return this.report(machine.id, utcDay(date), null);
  }

  async forShiftCsv(shiftId: number): Promise<string> {
    return toCsv(CSV_COLUMNS, [await this.forShift(shiftId)]);
  }

  async forMachineDayCsv(machineCode: string, date: string): Promise<string> {
    return toCsv(CSV_COLUMNS, [await this.forMachineDay(machineCode, date)]);
  }

  private async report(machineId: number, window: TimeWindow, shift: Shift | null): Promise<ProductionReport> {
    const standards = await this.machines.listElementTypes(false);
    const limits = plausibilityLimits(standards, this.spikeMargin);
    const measured = await this.repository.measure(machineId, window, limits);
    const { secondsInState, ...figures } = measured;
    return {
      machineId,
      machineCode: this.machines.codeOf(machineId),
      shift,
      window,
      limits,
      timeInState: completeTimeInState(secondsInState),
      ...figures,
    };
  }
}

const seconds = (state: string) => (r: ProductionReport) => r.timeInState.find((t) => t.state === state)?.seconds ?? 0;

/** One line per report; the shift's columns are empty for a machine-day report. */
const CSV_COLUMNS: CsvColumn<ProductionReport>[] = [
  { header: 'machineCode', value: (r) => r.machineCode },
  { header: 'shiftId', value: (r) => r.shift?.id ?? null },
  { header: 'operatorName', value: (r) => r.shift?.operator.name ?? null },
  { header: 'operatorNumber', value: (r) => r.shift?.operator.number ?? null },
  { header: 'elementTypeId', value: (r) => r.shift?.elementTypeId ?? null },
  { header: 'iNo', value: (r) => r.shift?.iNo ?? null },
  { header: 'fcNo', value: (r) => r.shift?.fcNo ?? null },
  { header: 'project', value: (r) => r.shift?.project ?? null },
  { header: 'plateThickness', value: (r) => r.shift?.plateThickness ?? null },
  { header: 'from', value: (r) => r.window.from },
  { header: 'to', value: (r) => r.window.to },
  { header: 'offSeconds', value: seconds('OFF') },
  { header: 'idleSeconds', value: seconds('IDLE') },
  { header: 'productionSeconds', value: seconds('PRODUCTION') },
  { header: 'currentAvg', value: (r) => r.current.avg },
  { header: 'currentMin', value: (r) => r.current.min },
  { header: 'currentMax', value: (r) => r.current.max },
  { header: 'voltageAvg', value: (r) => r.voltage.avg },
  { header: 'voltageMin', value: (r) => r.voltage.min },
  { header: 'voltageMax', value: (r) => r.voltage.max },
  { header: 'outOfStandardEpisodes', value: (r) => r.outOfStandardEpisodes },
  { header: 'samples', value: (r) => r.samples },
  { header: 'productionSamples', value: (r) => r.productionSamples },
  { header: 'implausibleSamples', value: (r) => r.implausibleSamples },
];
