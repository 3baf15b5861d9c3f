import type { MachineState } from '../domain/machine-state.js';
import type { TimeWindow } from '../domain/machine-state-window.js';
import type { PlausibilityLimits, Statistics } from '../domain/production-report.js';

export interface MeasuredFigures {
  secondsInState: Partial<Record<MachineState, number>>;
  current: Statistics;
  voltage: Statistics;
  outOfStandardEpisodes: number;
  samples: number;
  productionSamples: number;
  implausibleSamples: number;
}

/** Production figures computed in SQL over the samples, segments and episodes of a window. */
export abstract class ProductionReportRepository {
  abstract measure(machineId: number, window: TimeWindow, limits: PlausibilityLimits): Promise<MeasuredFigures>;
}
