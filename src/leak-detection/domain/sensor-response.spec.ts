import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { sensorResponse } from './sensor-response.js';

describe('sensor response', () => {
  it('a hand-computed case with τ = 120, Δt = 10 (α = 1/24)', () => {
    // y0 = (0 + (0 + 24)/24) / (25/24) = 0.96
    // y1 = (0.96·23/24 + (24 + 24)/24) / (25/24) = (0.92 + 2)·0.96 = 2.8032
    // y2 = (2.8032·23/24 + (24 + 0)/24) / (25/24) = (2.6864 + 1)·0.96 = 3.538944
    const readings = sensorResponse([0, 24, 24, 0]);
    expect(readings).toHaveLength(3);
    expect(readings[0]).toBeCloseTo(0.96, 14);
    expect(readings[1]).toBeCloseTo(2.8032, 14);
    expect(readings[2]).toBeCloseTo(3.538944, 14);
  });

  it('gives one reading per interval: 145 concentrations → 144 readings; none from fewer than 2', () => {
    expect(sensorResponse(new Float64Array(145))).toHaveLength(144);
    expect(sensorResponse([5])).toHaveLength(0);
    expect(sensorResponse([])).toHaveLength(0);
  });

  it('with Δt = 2τ (α = 1) is the mean of each pair of concentrations', () => {
    expect(Array.from(sensorResponse([2, 4, 10, 0], { timeConstant: 5, timeStep: 10 }))).toEqual([3, 7, 5]);
  });

  it('follows a step with the lag of its time constant and settles on the new level', () => {
    const readings = sensorResponse(new Float64Array(400).fill(7));
    expect(readings[0]).toBeLessThan(7 * 0.1);
    // After one time constant (12 steps of 10) a first-order lag has covered 1 − 1/e of the step.
    expect(readings[11]).toBeCloseTo(7 * (1 - Math.exp(-1)), 1);
    expect(readings.at(-1)).toBeCloseTo(7, 12);
    for (let n = 1; n < readings.length; n++) expect(readings[n]).toBeGreaterThanOrEqual(readings[n - 1]);
  });

  it('refuses a time constant or step that is not positive', () => {
    expect(() => sensorResponse([1, 2], { timeConstant: 0, timeStep: 10 })).toThrow(InvalidInputError);
    expect(() => sensorResponse([1, 2], { timeConstant: 120, timeStep: -1 })).toThrow(InvalidInputError);
  });
});
