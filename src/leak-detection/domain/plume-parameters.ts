import { number, type Rules } from '../../shared/validation/field-rules.js';
import type { PlumeParameters } from './plume-model.js';

/**
 * The plume model's parameters as data (seeded with the reference's, DEFAULT_PLUME_PARAMETERS):
 * what each may be, so that a change names every offending field at once. The same domain as
 * checkPlumeParameters, which the simulation applies again.
 */
export const PLUME_PARAMETER_RULES: Rules<PlumeParameters> = {
  a: number({ above: 0 }),
  p: number(),
  // With q ≤ 0 the plume would have risen at t = 0 already.
  q: number({ above: 0 }),
  kappa: number({ min: 0 }),
  alpha: number({ above: 0 }),
  referenceSpeed: number({ above: 0 }),
  referenceTime: number({ above: 0 }),
  depth: number({ above: 0 }),
  detectionLimit: number({ min: 0 }),
  seawaterTemperature: number({ min: -3 }),
};
