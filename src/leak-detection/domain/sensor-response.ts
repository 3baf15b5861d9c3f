import { InvalidInputError } from '../../shared/errors/domain-errors.js';

/**
 * A gas sensor does not read the concentration around it at once: it follows it like a
 * first-order lag, τ·dy/dt = c − y. Discretised with the trapezoidal rule over steps of Δt
 * (α = ½·Δt/τ) and starting from a sensor reading 0:
 *   y_n = (y_{n−1}·(1 − α) + α·(c_n + c_{n+1})) / (1 + α),
 * one reading per interval between two concentrations, so n concentrations give n − 1 readings
 * (145 current rows → 144 points, the anomaly window).
 */
export interface SensorResponseParameters {
  /** τ, in the unit of timeStep. */
  timeConstant: number;
  /** Δt between two concentrations (the original: the 10-minute reading interval). */
  timeStep: number;
}

/** τ = 120, Δt = 10: α = 1/24. */
export const DEFAULT_SENSOR_RESPONSE_PARAMETERS: Readonly<SensorResponseParameters> = Object.freeze({
  timeConstant: 120,
  timeStep: 10,
});

export function sensorResponse(
  concentrations: ArrayLike<number>,
  parameters: SensorResponseParameters = DEFAULT_SENSOR_RESPONSE_PARAMETERS,
): Float64Array {
  const { timeConstant, timeStep } = parameters;
  if (!(Number.isFinite(timeConstant) && timeConstant > 0) || !(Number.isFinite(timeStep) && timeStep > 0)) {
    throw new InvalidInputError('The sensor response needs a time constant and a time step > 0', {
      timeConstant: 'must be > 0',
      timeStep: 'must be > 0',
    });
  }
  const alpha = (0.5 * timeStep) / timeConstant;
  const readings = new Float64Array(Math.max(0, concentrations.length - 1));
  let previous = 0;
  for (let n = 0; n < readings.length; n++) {
    previous = (previous * (1 - alpha) + alpha * (concentrations[n] + concentrations[n + 1])) / (1 + alpha);
    readings[n] = previous;
  }
  return readings;
}
