import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { detectionRate, enclosingFields, simulateLeaks, type LeakSimulationInput } from './leak-simulation.js';
import { DEFAULT_PLUME_PARAMETERS, plumeConcentration, plumeRise } from './plume-model.js';
import { sensorResponse } from './sensor-response.js';
import { currentDragCoefficient, waveCurrentDragCoefficient } from './wave-current-drag.js';

const RATE = 4.8491e-4;
const LEAK = { x: 0, y: 0, z: 3, rate: RATE };
const EAST = { u: 0.2, v: 0 };
const WEST = { u: -0.2, v: 0 };
const NORTH = { u: 0, v: 0.2 };
/** 20 m east of the leak at the height the plume reaches there in a 0.2 m/s current. */
const SENSOR = { x: 20, y: 0, z: plumeRise(3, 0.2, 100, DEFAULT_PLUME_PARAMETERS) };

function simulate(overrides: Partial<LeakSimulationInput> = {}) {
  const result = simulateLeaks({
    template: { angleFromNorth: 0 },
    sensor: SENSOR,
    leaks: [LEAK],
    currents: [EAST, WEST, EAST, NORTH],
    ...overrides,
  });
  if (!result.supported) throw new Error(result.message);
  return result.leaks;
}

describe('leak simulation at a sensor', () => {
  it('gives the plume concentration per current row: downstream, upstream, across', () => {
    const [leak] = simulate();
    const downstream = plumeConcentration({
      downstream: 20,
      crossStream: 0,
      leakHeight: 3,
      sensorHeight: SENSOR.z,
      currentSpeed: 0.2,
      rate: RATE,
      dragCoefficient: currentDragCoefficient(),
    });
    expect(downstream).toBeGreaterThan(1e-6);
    expect(leak.concentrations[0]).toBeCloseTo(downstream, 18);
    expect(leak.concentrations[1]).toBe(0); // the sensor is upstream in a westward current
    expect(leak.concentrations[2]).toBeCloseTo(downstream, 18);
    expect(leak.concentrations[3]).toBe(0); // beside the leak in a northward current: x′ = 0
  });

  it('smooths the series by the sensor response, one point fewer: 145 rows → 144', () => {
    const currents = Array.from({ length: 145 }, (_, k) => (k % 20 < 10 ? EAST : WEST));
    const [leak] = simulate({ currents });
    expect(leak.concentrations).toHaveLength(145);
    expect(leak.response).toHaveLength(144);
    expect(Array.from(leak.response)).toEqual(Array.from(sensorResponse(leak.concentrations)));
  });

  it('reports the share of rows above the detection limit', () => {
    expect(simulate()[0].detectionRate).toBe(0.5);
    const strict = simulate({ plume: { ...DEFAULT_PLUME_PARAMETERS, detectionLimit: 1 } });
    expect(strict[0].detectionRate).toBe(0);
    expect(detectionRate([1, 5, 5, 9], 5)).toBe(0.25);
    expect(detectionRate([], 5)).toBe(0);
  });

  it('turns the sensor with the template: at 90° the sensor 20 m along its y axis lies east', () => {
    const turned = simulate({
      template: { angleFromNorth: Math.PI / 2 },
      sensor: { x: 0, y: 20, z: SENSOR.z },
    });
    const plain = simulate();
    for (let row = 0; row < 4; row++)
      expect(turned[0].concentrations[row]).toBeCloseTo(plain[0].concentrations[row], 18);
  });

  it('answers per leak in the input order, in proportion to each rate', () => {
    const leaks = simulate({ leaks: [LEAK, { ...LEAK, rate: 2 * RATE }, { ...LEAK, x: 40 }] });
    expect(leaks).toHaveLength(3);
    expect(leaks[1].concentrations[0] / leaks[0].concentrations[0]).toBeCloseTo(2, 12);
    expect(leaks[2].concentrations[0]).toBe(0); // that leak is downstream of the sensor
  });

  it('uses the wave–current drag per row when waves are given, which spreads the plume', () => {
    const currents = [EAST, EAST];
    const waves = [
      { height: 0, period: 10, direction: 0 },
      { height: 6, period: 14, direction: Math.PI / 2 },
    ];
    const [leak] = simulate({ currents, waves });
    const [calm] = simulate({ currents });
    expect(leak.concentrations[0]).toBe(calm.concentrations[0]);
    const drag = waveCurrentDragCoefficient({ speed: 0.2, direction: Math.PI / 2 }, waves[1], 70);
    expect(drag).toBeGreaterThan(currentDragCoefficient());
    expect(leak.concentrations[1]).toBeCloseTo(
      plumeConcentration({
        downstream: 20,
        crossStream: 0,
        leakHeight: 3,
        sensorHeight: SENSOR.z,
        currentSpeed: 0.2,
        rate: RATE,
        dragCoefficient: drag,
      }),
      18,
    );
    expect(leak.concentrations[1]).toBeLessThan(calm.concentrations[1]);
  });

  it('refuses waves that do not match the currents row for row, and bad inputs', () => {
    expect(() => simulate({ waves: [{ height: 1, period: 8, direction: 0 }] })).toThrow(InvalidInputError);
    expect(() => simulate({ currents: [{ u: Number.NaN, v: 0 }] })).toThrow(InvalidInputError);
    expect(() => simulate({ leaks: [{ ...LEAK, rate: -1 }] })).toThrow(InvalidInputError);
    expect(() => simulate({ sensor: { x: 1, y: Infinity, z: 0 } })).toThrow(InvalidInputError);
    expect(() => simulate({ plume: { ...DEFAULT_PLUME_PARAMETERS, referenceTime: 0 } })).toThrow(InvalidInputError);
  });

  it('is not supported on a closed or semi-closed template, whatever else is wrong', () => {
    for (const enclosure of [
      { roofHeight: 4.5 },
      { porosity: { fore: 0.3, aft: 0.3, port: 0.5, starboard: 0.5 } },
      { wallArea: { fore: 10, aft: 10, port: 12, starboard: 12 } },
      { inclination: { fore: 0.1, aft: 0.1, port: 0, starboard: 0 } },
    ]) {
      const result = simulateLeaks({
        template: { angleFromNorth: 0, ...enclosure },
        sensor: SENSOR,
        leaks: [LEAK],
        currents: [{ u: Number.NaN, v: 0 }],
      });
      expect(result).toEqual({
        supported: false,
        reason: 'ENCLOSED_TEMPLATE',
        message: expect.stringContaining(Object.keys(enclosure)[0]),
        enclosedBy: Object.keys(enclosure),
      });
    }
    expect(enclosingFields({ angleFromNorth: 1, roofHeight: null, porosity: null })).toEqual([]);
    expect(enclosingFields({ angleFromNorth: 1, roofHeight: 4, wallArea: null, porosity: undefined })).toEqual([
      'roofHeight',
    ]);
  });

  it('simulates 5 leaks over 145 rows with waves in about a millisecond', () => {
    const currents = Array.from({ length: 145 }, (_, k) => ({ u: 0.1 * Math.sin(k / 9), v: 0.08 * Math.cos(k / 13) }));
    const waves = currents.map((_, k) => ({ height: 2 + Math.sin(k / 10), period: 9, direction: 1 }));
    const input = {
      template: { angleFromNorth: 0.4 },
      sensor: { x: -1, y: -8, z: 5 },
      leaks: [LEAK, { ...LEAK, x: -4.84, y: 2.47, z: 3.7 }, { ...LEAK, x: -1.311, y: 5.023, z: 3.2 }, LEAK, LEAK],
      currents,
      waves,
    };
    simulateLeaks(input);
    const started = performance.now();
    for (let run = 0; run < 20; run++) simulateLeaks(input);
    // Generous for a shared machine: it measures well under 1 ms per run.
    expect((performance.now() - started) / 20).toBeLessThan(20);
  });
});
