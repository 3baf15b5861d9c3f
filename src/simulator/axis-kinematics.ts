/**
 * One control period of a CNC axis moving toward its target: the velocity follows a
 * trapezoidal profile (accelerate, cruise at max velocity, brake) computed for the discrete
 * time step itself, so the axis lands exactly on the target without overshoot and every
 * step respects |velocity| ≤ maxVelocity and |acceleration| ≤ maxAcceleration.
 */
export interface AxisMotion {
  position: number;
  velocity: number;
  acceleration: number;
}

export interface AxisLimits {
  maxVelocity: number;
  maxAcceleration: number;
}

/** Below this, position and velocity are "there" (float noise from the profile arithmetic). */
const EPSILON = 1e-9;

export function stepAxis(
  position: number,
  velocity: number,
  target: number,
  dtSeconds: number,
  limits: AxisLimits,
): AxisMotion {
  const distance = target - position;
  const wanted =
    Math.sign(distance) * Math.min(limits.maxVelocity, stoppableSpeed(Math.abs(distance), dtSeconds, limits));
  const acceleration = clamp((wanted - velocity) / dtSeconds, -limits.maxAcceleration, limits.maxAcceleration);
  let nextVelocity = clamp(velocity + acceleration * dtSeconds, -limits.maxVelocity, limits.maxVelocity);
  let nextPosition = position + nextVelocity * dtSeconds;
  if (Math.abs(nextVelocity) < EPSILON) nextVelocity = 0;
  if (Math.abs(target - nextPosition) < EPSILON) nextPosition = target;
  return { position: nextPosition, velocity: nextVelocity, acceleration: (nextVelocity - velocity) / dtSeconds };
}

/**
 * The highest speed for this step from which the axis can still stop exactly at `distance`,
 * braking by at most maxAcceleration per step afterwards. With u = a·dt, a speed of k·u + r
 * covers dt·((k+1)·r + u·k(k+1)/2) until it stops (semi-implicit Euler), solved here for the
 * largest k and then r. The continuous √(2·a·d) would need slightly more than a to brake.
 */
export function stoppableSpeed(distance: number, dtSeconds: number, limits: AxisLimits): number {
  if (distance <= 0) return 0;
  const step = limits.maxAcceleration * dtSeconds;
  const steps = distance / dtSeconds;
  let k = Math.floor((Math.sqrt(1 + (8 * steps) / step) - 1) / 2);
  while (k > 0 && (step * k * (k + 1)) / 2 > steps) k--;
  while ((step * (k + 1) * (k + 2)) / 2 <= steps) k++;
  const remainder = (steps - (step * k * (k + 1)) / 2) / (k + 1);
  return k * step + remainder;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
