import { InvalidInputError } from '../../shared/errors/domain-errors.js';

/**
 * Johansen (2022)'s regression model of a gas plume from a leak on an open subsea template,
 * bent over by the current (the original's "earlier engine").
 *
 * Frame: the leak is at the origin, x′ points downstream, y′ across the current (to the left
 * looking downstream), heights z are metres above the template floor, as the leak's and sensor's z.
 * For a sensor at (x′, y′, z_s), current speed U and bed drag coefficient Cd:
 *   - the plume takes t = x′/U to reach the sensor; upstream (t ≤ 0) or without current C = 0;
 *   - its centreline has risen to z = z_leak + a·(U/u_ref)^p·(t/t_ref)^q;
 *   - turbulent diffusion spreads it by σ_d² = 2κ·u_f·I, with the friction velocity u_f = √Cd·U and
 *     I = ∫₀ᵗ z dt′ = z_leak·t + t·(z − z_leak)/(1 + q) (the eddy diffusivity κ·u_f·z grows with height);
 *   - the plume's own entrainment gives it a radius b = α·(z − z_leak), and σ² = (b/2)² + σ_d²;
 *   - C₀ = rate / (2π·U·σ²) on the centreline and C = C₀·exp(−(y′² + (z_s − z)²) / (2σ²)), in kg/m³.
 */
export interface PlumeParameters {
  /** Plume-rise coefficient a, m: the rise after t_ref in a current of u_ref. */
  a: number;
  /** Exponent p of the current speed in the plume rise (negative: a strong current bends the plume down). */
  p: number;
  /** Exponent q of the time in the plume rise. */
  q: number;
  /** κ in σ_d² = 2κ·u_f·I. */
  kappa: number;
  /** Entrainment coefficient α in b = α·(z − z_leak). */
  alpha: number;
  /** u_ref, m/s. */
  referenceSpeed: number;
  /** t_ref, s. */
  referenceTime: number;
  /** Water depth at the template, m: sets how much of the waves reaches the seabed (the drag). */
  depth: number;
  /** Concentration a sensor detects, kg/m³ (for detection rates). */
  detectionLimit: number;
  /** °C. Part of the model's published parameter set; the regression formulas do not use it. */
  seawaterTemperature: number;
}

/** The reference's values (Johansen 2022, p. 9, as configured in the original). */
export const DEFAULT_PLUME_PARAMETERS: Readonly<PlumeParameters> = Object.freeze({
  a: 5.5,
  p: -0.4,
  q: 0.34,
  kappa: 0.41,
  alpha: 0.32,
  referenceSpeed: 0.3,
  referenceTime: 600,
  depth: 70,
  detectionLimit: 5e-7,
  seawaterTemperature: 6.2,
});

/** A sea current as the currents files give it: u towards east, v towards north, m/s. */
export interface SeaCurrent {
  u: number;
  v: number;
}

export function currentSpeed({ u, v }: SeaCurrent): number {
  return Math.hypot(u, v);
}

/** The compass bearing the current flows towards, radians clockwise from north: atan2(u, v). */
export function currentDirection({ u, v }: SeaCurrent): number {
  return Math.atan2(u, v);
}

export interface PlanePoint {
  x: number;
  y: number;
}

/**
 * A template-frame point relative to the leak, in the current frame (x′ downstream, y′ to its left).
 *
 * The template frame is right-handed and turned clockwise by the template's angle from north:
 * at angle 0 its x axis points east and its y axis north; at angle θ its y axis points to the
 * bearing θ. A current flowing towards the bearing β points, in the template frame, at the
 * counter-clockwise angle π/2 − β + θ from the template's x axis, so turning the point by
 * −(θ + π/2 − β) puts the current on x′.
 */
export function toCurrentFrame(point: PlanePoint, leak: PlanePoint, templateAngle: number, direction: number) {
  const turn = -(templateAngle + Math.PI / 2 - direction);
  const cos = Math.cos(turn);
  const sin = Math.sin(turn);
  const dx = point.x - leak.x;
  const dy = point.y - leak.y;
  return { downstream: dx * cos - dy * sin, crossStream: dx * sin + dy * cos };
}

/** Where the sensor is relative to the leak and what carries the plume there. */
export interface PlumeSample {
  /** x′, m. */
  downstream: number;
  /** y′, m. */
  crossStream: number;
  /** z_leak, m. */
  leakHeight: number;
  /** z_s, m. */
  sensorHeight: number;
  /** U, m/s. */
  currentSpeed: number;
  /** Leak rate, kg/s. */
  rate: number;
  /** Cd, from wave-current-drag.ts. */
  dragCoefficient: number;
}

/** Height of the plume's centreline (m) after t seconds in a current of U (both > 0). */
export function plumeRise(leakHeight: number, speed: number, time: number, parameters: PlumeParameters): number {
  const { a, p, q, referenceSpeed, referenceTime } = parameters;
  return leakHeight + a * (speed / referenceSpeed) ** p * (time / referenceTime) ** q;
}

/** σ² (m²) of the plume whose centreline reached `rise` after t seconds. */
export function plumeSpreadSquared(
  leakHeight: number,
  rise: number,
  time: number,
  frictionVelocity: number,
  parameters: PlumeParameters,
): number {
  const heightIntegral = leakHeight * time + (time * (rise - leakHeight)) / (1 + parameters.q);
  const diffusion = 2 * parameters.kappa * frictionVelocity * heightIntegral;
  const radius = parameters.alpha * (rise - leakHeight);
  return (radius / 2) ** 2 + diffusion;
}

/** C at the sensor, kg/m³ (0 upstream of the leak or without current). */
export function plumeConcentration(sample: PlumeSample, parameters: PlumeParameters = DEFAULT_PLUME_PARAMETERS) {
  const speed = sample.currentSpeed;
  if (!(speed > 0)) return 0;
  const time = sample.downstream / speed;
  if (!(time > 0)) return 0;
  const rise = plumeRise(sample.leakHeight, speed, time, parameters);
  const frictionVelocity = Math.sqrt(sample.dragCoefficient) * speed;
  const spread = plumeSpreadSquared(sample.leakHeight, rise, time, frictionVelocity, parameters);
  // Only a sensor all but on the leak itself gets here (t so small that σ² underflows).
  if (!(spread > 0)) return 0;
  const centreline = sample.rate / (2 * Math.PI * speed * spread);
  const offsetSquared = sample.crossStream ** 2 + (sample.sensorHeight - rise) ** 2;
  return centreline * Math.exp(-offsetSquared / (2 * spread));
}

/** Throws InvalidInputError naming the first parameter outside the model's domain. */
export function checkPlumeParameters(parameters: PlumeParameters): void {
  const positive: (keyof PlumeParameters)[] = ['a', 'alpha', 'referenceSpeed', 'referenceTime', 'depth'];
  for (const name of positive) {
    if (!(Number.isFinite(parameters[name]) && parameters[name] > 0)) {
      throw new InvalidInputError(`The plume parameter ${name} must be a finite number > 0`, { [name]: 'must be > 0' });
    }
  }
  for (const name of ['kappa', 'detectionLimit'] as const) {
    if (!(Number.isFinite(parameters[name]) && parameters[name] >= 0)) {
      throw new InvalidInputError(`The plume parameter ${name} must be a finite number ≥ 0`, { [name]: 'must be ≥ 0' });
    }
  }
  for (const name of ['p', 'seawaterTemperature'] as const) {
    if (!Number.isFinite(parameters[name])) {
      throw new InvalidInputError(`The plume parameter ${name} must be a finite number`, { [name]: 'must be finite' });
    }
  }
  // With q ≤ 0 the plume would have risen at t = 0 already (infinitely for q < 0).
  if (!(Number.isFinite(parameters.q) && parameters.q > 0)) {
    throw new InvalidInputError('The plume parameter q must be a finite number > 0', { q: 'must be > 0' });
  }
}
