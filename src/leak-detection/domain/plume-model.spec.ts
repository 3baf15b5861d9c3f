import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import {
  checkPlumeParameters,
  currentDirection,
  currentSpeed,
  DEFAULT_PLUME_PARAMETERS,
  plumeConcentration,
  plumeRise,
  toCurrentFrame,
  type PlumeSample,
} from './plume-model.js';
import { currentDragCoefficient } from './wave-current-drag.js';

const RATE = 4.8491e-4; // the reference's candidate leaks, kg/s

/** A sensor 30 m downstream of a leak 3.7 m up, in a 0.2 m/s current, at the plume's height there. */
function sample(overrides: Partial<PlumeSample> = {}): PlumeSample {
  const base = {
    downstream: 30,
    crossStream: 0,
    leakHeight: 3.7,
    currentSpeed: 0.2,
    rate: RATE,
    dragCoefficient: currentDragCoefficient(),
  };
  const time = base.downstream / base.currentSpeed;
  return { ...base, sensorHeight: plumeRise(3.7, 0.2, time, DEFAULT_PLUME_PARAMETERS), ...overrides };
}

const relative = (actual: number, expected: number) => expect(actual / expected).toBeCloseTo(1, 12);

describe('Johansen (2022) open-template plume', () => {
  it('hand-computed at the reference speed and time: U = u_ref, x′ = 180 m so t = t_ref', () => {
    // (U/u_ref)^p = (t/t_ref)^q = 1: z = 3.7 + 5.5 = 9.2; I = 3.7·600 + 600·5.5/1.34 = 4682.686567…
    // Cd = 1e-4: u_f = 0.01·0.3 = 0.003; σ_d² = 2·0.41·0.003·I = 11.519409…; (b/2)² = (0.32·5.5/2)² = 0.7744
    // σ² = 12.293809…; C₀ = 4.8491e-4 / (2π·0.3·σ²) = 2.0925390e-5; y′ = 1 m: C = C₀·e^(−1/(2σ²)).
    expect(plumeRise(3.7, 0.3, 600, DEFAULT_PLUME_PARAMETERS)).toBeCloseTo(9.2, 14);
    const concentration = plumeConcentration({
      downstream: 180,
      crossStream: 1,
      leakHeight: 3.7,
      sensorHeight: 9.2,
      currentSpeed: 0.3,
      rate: RATE,
      dragCoefficient: 1e-4,
    });
    relative(concentration, 2.0925389827182748e-5 * Math.exp(-1 / (2 * 12.293808955223877)));
    relative(concentration, 2.0091410155510092e-5);
  });

  it('hand-computed off the reference point, with the current-only drag', () => {
    // U = 0.15, x′ = 45 m → t = 300 s; 0.5^−0.4 = 1.3195079…, 0.5^0.34 = 0.7900413…
    // z = 3.2 + 5.5·1.3195079·0.7900413 = 8.9335617; Cd = (0.41/ln 3600)²; σ² = 14.658971…
    // C₀ = 3.5098336e-5; the sensor at y′ = −2, z = 4: C = C₀·exp(−(4 + 4.9335617²)/(2σ²)) = 1.3349903e-5.
    expect(plumeRise(3.2, 0.15, 300, DEFAULT_PLUME_PARAMETERS)).toBeCloseTo(8.933561684626167, 12);
    const concentration = plumeConcentration(
      sample({ downstream: 45, crossStream: -2, leakHeight: 3.2, sensorHeight: 4, currentSpeed: 0.15 }),
    );
    relative(concentration, 1.3349902776731238e-5);
  });

  it('is 0 upstream of the leak, beside it (x′ = 0) and without current', () => {
    expect(plumeConcentration(sample({ downstream: -5 }))).toBe(0);
    expect(plumeConcentration(sample({ downstream: 0 }))).toBe(0);
    expect(plumeConcentration(sample({ currentSpeed: 0 }))).toBe(0);
    expect(plumeConcentration(sample())).toBeGreaterThan(0);
  });

  it('falls off with the lateral offset, the same on either side', () => {
    let previous = plumeConcentration(sample());
    for (const offset of [0.5, 1, 2, 4, 8]) {
      const left = plumeConcentration(sample({ crossStream: offset }));
      expect(left).toBeLessThan(previous);
      expect(plumeConcentration(sample({ crossStream: -offset }))).toBe(left);
      previous = left;
    }
  });

  it('is highest at the centreline height and grows in proportion to the rate', () => {
    const onAxis = sample();
    const atCentre = plumeConcentration(onAxis);
    expect(plumeConcentration(sample({ sensorHeight: onAxis.sensorHeight + 1 }))).toBeLessThan(atCentre);
    expect(plumeConcentration(sample({ sensorHeight: onAxis.sensorHeight - 1 }))).toBeLessThan(atCentre);
    relative(plumeConcentration(sample({ rate: 3 * RATE })), 3 * atCentre);
    expect(plumeConcentration(sample({ rate: 0 }))).toBe(0);
  });

  it('dilutes along the centreline downstream and spreads more under a larger drag', () => {
    const alongAxis = [10, 20, 40, 80, 160].map((downstream) => {
      const time = downstream / 0.2;
      const sensorHeight = plumeRise(3.7, 0.2, time, DEFAULT_PLUME_PARAMETERS);
      return plumeConcentration(sample({ downstream, sensorHeight }));
    });
    for (let k = 1; k < alongAxis.length; k++) expect(alongAxis[k]).toBeLessThan(alongAxis[k - 1]);
    expect(plumeConcentration(sample({ dragCoefficient: 0.01 }))).toBeLessThan(plumeConcentration(sample()));
  });

  it('rises less in a stronger current (p < 0)', () => {
    expect(plumeRise(3.7, 0.6, 600, DEFAULT_PLUME_PARAMETERS)).toBeLessThan(
      plumeRise(3.7, 0.3, 600, DEFAULT_PLUME_PARAMETERS),
    );
  });

  it('refuses parameters outside the model', () => {
    expect(() => checkPlumeParameters(DEFAULT_PLUME_PARAMETERS)).not.toThrow();
    for (const wrong of [{ referenceSpeed: 0 }, { q: -1 }, { a: Number.NaN }, { detectionLimit: -1 }, { depth: 0 }]) {
      expect(() => checkPlumeParameters({ ...DEFAULT_PLUME_PARAMETERS, ...wrong })).toThrow(InvalidInputError);
    }
  });
});

describe('currents and the current frame', () => {
  it('gives the speed and the bearing the current flows towards, atan2(u, v) from north', () => {
    expect(currentSpeed({ u: 0.3, v: 0.4 })).toBeCloseTo(0.5, 15);
    expect(currentDirection({ u: 0, v: 1 })).toBe(0);
    expect(currentDirection({ u: 1, v: 0 })).toBeCloseTo(Math.PI / 2, 15);
    expect(currentDirection({ u: 0, v: -1 })).toBeCloseTo(Math.PI, 15);
    expect(currentDirection({ u: -1, v: 0 })).toBeCloseTo(-Math.PI / 2, 15);
  });

  const leak = { x: -4.84, y: 2.47 };
  const at = (dx: number, dy: number) => ({ x: leak.x + dx, y: leak.y + dy });
  const east = currentDirection({ u: 0.2, v: 0 });
  const north = currentDirection({ u: 0, v: 0.2 });

  it('template at 0° (x east, y north): x′ is downstream, y′ to its left', () => {
    const inEastCurrent = toCurrentFrame(at(5, 2), leak, 0, east);
    expect(inEastCurrent.downstream).toBeCloseTo(5, 12);
    expect(inEastCurrent.crossStream).toBeCloseTo(2, 12);
    const inNorthCurrent = toCurrentFrame(at(5, 2), leak, 0, north);
    expect(inNorthCurrent.downstream).toBeCloseTo(2, 12);
    expect(inNorthCurrent.crossStream).toBeCloseTo(-5, 12);
  });

  it('template turned 90° clockwise (its y axis east, x axis south)', () => {
    const alongY = toCurrentFrame(at(0, 5), leak, Math.PI / 2, east);
    expect(alongY.downstream).toBeCloseTo(5, 12);
    expect(alongY.crossStream).toBeCloseTo(0, 12);
    // The template's x axis points south: to the right of an eastward current.
    const alongX = toCurrentFrame(at(5, 0), leak, Math.PI / 2, east);
    expect(alongX.downstream).toBeCloseTo(0, 12);
    expect(alongX.crossStream).toBeCloseTo(-5, 12);
    // A current towards the south flows along the template's x axis.
    const south = currentDirection({ u: 0, v: -0.2 });
    expect(toCurrentFrame(at(5, 0), leak, Math.PI / 2, south).downstream).toBeCloseTo(5, 12);
  });

  it('keeps distances, and puts a sensor upstream when the current reverses', () => {
    for (const [angle, direction] of [
      [0.3, 1.1],
      [12.2, -2],
      [-1, 3],
    ]) {
      const frame = toCurrentFrame(at(3, -4), leak, angle, direction);
      expect(Math.hypot(frame.downstream, frame.crossStream)).toBeCloseTo(5, 12);
      const reversed = toCurrentFrame(at(3, -4), leak, angle, direction + Math.PI);
      expect(reversed.downstream).toBeCloseTo(-frame.downstream, 12);
    }
  });
});
