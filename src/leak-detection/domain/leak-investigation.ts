import { estimateLeak, type Estimation, type EstimationParameters } from './leak-estimation.js';
import { simulateLeaks, type LeakSimulationInput } from './leak-simulation.js';

/** What a sensor's CRITICAL reading is checked against: its readings, its neighbours' and the candidates' simulation. */
export interface InvestigationInput {
  /** The candidates in `simulation.leaks` order, by id. */
  candidateIds: readonly number[];
  simulation: LeakSimulationInput;
  /** The sensor's readings, oldest first, ending with the CRITICAL one. */
  readings: ArrayLike<number>;
  /** The template's other sensors' readings up to the same moment. */
  neighbours: readonly ArrayLike<number>[];
  parameters?: Partial<EstimationParameters>;
}

export type InvestigationOutcome =
  | { result: 'NOT_SUPPORTED'; reason: string }
  | { result: 'UNDEFINED'; reason: 'NO_CANDIDATES' }
  | (Estimation<number> & { detectionRates: number[] });

/**
 * Simulation and estimation on CRITICAL (reference C.4–C.5): each candidate leak of the
 * template simulated at the sensor over the window's currents, then compared with the readings
 * (leak-estimation.ts). Pure and self-contained: a few milliseconds for a template's candidates.
 */
export function investigateLeak(input: InvestigationInput): InvestigationOutcome {
  if (!input.candidateIds.length) return { result: 'UNDEFINED', reason: 'NO_CANDIDATES' };
  const simulation = simulateLeaks(input.simulation);
  if (!simulation.supported) return { result: 'NOT_SUPPORTED', reason: simulation.message };
  const estimation = estimateLeak({
    readings: input.readings,
    hypotheses: simulation.leaks.map((leak, k) => ({ id: input.candidateIds[k], series: leak.response })),
    neighbours: input.neighbours,
    parameters: input.parameters,
  });
  return { ...estimation, detectionRates: simulation.leaks.map((leak) => leak.detectionRate) };
}
