import { describe, expect, it } from '@jest/globals';
import { stepAxis, stoppableSpeed } from './axis-kinematics.js';
import { SeededRandom } from './seeded-random.js';

const LIMITS = { maxVelocity: 60, maxAcceleration: 200 };
const DT = 0.1;
const TOLERANCE = 1e-9;

/** Steps until the axis rests on its target; returns every step's motion. */
function moveTo(target: number, from = { position: 0, velocity: 0 }, dt = DT) {
  const steps = [];
  let state = { ...from, acceleration: 0 };
  for (let i = 0; i < 10_000; i++) {
    state = stepAxis(state.position, state.velocity, target, dt, LIMITS);
    steps.push(state);
    if (state.position === target && state.velocity === 0) return steps;
  }
  throw new Error(`did not arrive at ${target}`);
}

describe('stepAxis', () => {
  it('lands exactly on the target, never past it, within the velocity and acceleration limits', () => {
    for (const target of [0.001, 0.5, 3, 9, 40, 190, -120, -380]) {
      const steps = moveTo(target);
      for (const step of steps) {
        expect(Math.abs(step.velocity)).toBeLessThanOrEqual(LIMITS.maxVelocity + TOLERANCE);
        expect(Math.abs(step.acceleration)).toBeLessThanOrEqual(LIMITS.maxAcceleration + TOLERANCE);
        expect(Math.abs(step.position)).toBeLessThanOrEqual(Math.abs(target) + TOLERANCE);
      }
    }
  });

  it('takes about the time of a trapezoidal move: cruise at max velocity plus one ramp', () => {
    const steps = moveTo(190);
    const ideal = 190 / LIMITS.maxVelocity + LIMITS.maxVelocity / LIMITS.maxAcceleration;
    expect(steps.length * DT).toBeGreaterThanOrEqual(ideal);
    expect(steps.length * DT).toBeLessThanOrEqual(ideal + 3 * DT);
  });

  it('keeps the limits when the target jumps behind a moving axis, at any control period', () => {
    const random = new SeededRandom(7);
    for (const dt of [0.01, 0.1, 0.25]) {
      let state = { position: 0, velocity: 0, acceleration: 0 };
      let target = 100;
      for (let i = 0; i < 5_000; i++) {
        if (random.chance(0.05)) target = random.uniform(-190, 190);
        state = stepAxis(state.position, state.velocity, target, dt, LIMITS);
        expect(Math.abs(state.velocity)).toBeLessThanOrEqual(LIMITS.maxVelocity + TOLERANCE);
        expect(Math.abs(state.acceleration)).toBeLessThanOrEqual(LIMITS.maxAcceleration + TOLERANCE);
      }
    }
  });

  it('from the stoppable speed, braking at the limit covers exactly the remaining distance', () => {
    for (const distance of [0.3, 7, 55.5]) {
      let velocity = stoppableSpeed(distance, DT, LIMITS);
      let travelled = 0;
      while (velocity > TOLERANCE) {
        travelled += velocity * DT;
        velocity -= LIMITS.maxAcceleration * DT;
      }
      expect(travelled).toBeCloseTo(distance, 9);
    }
  });
});
