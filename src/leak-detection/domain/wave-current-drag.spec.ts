import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import {
  checkDragParameters,
  currentDragCoefficient,
  DEFAULT_WAVE_CURRENT_DRAG_PARAMETERS,
  waveCurrentDragCoefficient,
  waveNumber,
  waveOrbitalVelocity,
} from './wave-current-drag.js';

const G = DEFAULT_WAVE_CURRENT_DRAG_PARAMETERS.gravity;
const CD_CURRENT = currentDragCoefficient();

describe('wave–current drag', () => {
  it('without waves: (0.41 / ln(3 / (0.025/30)))² = (0.41 / ln 3600)²', () => {
    expect(CD_CURRENT).toBeCloseTo((0.41 / Math.log(3600)) ** 2, 16);
    expect(CD_CURRENT).toBeCloseTo(0.0025069111716961, 15);
  });

  it('solves the dispersion relation, with the deep and shallow water limits', () => {
    for (const [period, depth] of [
      [5, 70],
      [12, 70],
      [20, 10],
      [8, 2],
    ]) {
      const omega = (2 * Math.PI) / period;
      const k = waveNumber(omega, depth, G);
      expect((G * k * Math.tanh(k * depth)) / omega ** 2).toBeCloseTo(1, 13);
    }
    expect(waveNumber((2 * Math.PI) / 4, 500, G)).toBeCloseTo((2 * Math.PI) ** 2 / 16 / G, 12);
    const shallow = (2 * Math.PI) / 200;
    expect(waveNumber(shallow, 1, G) / (shallow / Math.sqrt(G))).toBeCloseTo(1, 4);
  });

  it('matches an independent computation of the same formulas (numpy, exact dispersion)', () => {
    // Current 0.1 m/s towards north, Hs 3 m, Tp 12 s, waves at 0.5 rad, depth 70 m; computed with numpy
    // following the model's formulas, the wave number from scipy's brentq on ω² = g·k·tanh(k·h).
    const drag = waveCurrentDragCoefficient(
      { speed: 0.1, direction: 0 },
      { height: 3, period: 12, direction: 0.5 },
      70,
    );
    expect(drag / 0.007039804155218293).toBeCloseTo(1, 10);
    const pureWaves = waveCurrentDragCoefficient(
      { speed: 0, direction: 0 },
      { height: 5, period: 15, direction: 0 },
      70,
    );
    expect(pureWaves / 0.015095242643034143).toBeCloseTo(1, 10);
  });

  it('is the current-only drag without waves at the bed: zero height, or short waves over deep water', () => {
    const current = { speed: 0.1, direction: 0 };
    expect(waveCurrentDragCoefficient(current, { height: 0, period: 10, direction: 0 }, 70)).toBe(CD_CURRENT);
    expect(waveOrbitalVelocity({ height: 1, period: 0.5, direction: 0 }, 70, G)).toBe(0);
    // A 3-second sea leaves an orbital velocity of ~4e-14 m/s at 70 m: the fits would explode there.
    expect(waveOrbitalVelocity({ height: 1, period: 3, direction: 0 }, 70, G)).toBeLessThan(1e-13);
    for (const speed of [0, 0.1]) {
      const wind = waveCurrentDragCoefficient({ speed, direction: 0 }, { height: 1, period: 3, direction: 0 }, 70);
      expect(wind).toBe(CD_CURRENT);
    }
    const short = waveCurrentDragCoefficient(current, { height: 1, period: 5, direction: 0 }, 70);
    expect(short / CD_CURRENT).toBeCloseTo(1, 3);
  });

  it('changes smoothly from negligible to felt waves, with and without a current', () => {
    for (const speed of [0, 0.01, 0.3]) {
      let previous = CD_CURRENT;
      for (let height = 0.01; height <= 10; height *= 1.5) {
        const drag = waveCurrentDragCoefficient({ speed, direction: 0 }, { height, period: 6, direction: 0 }, 70);
        expect(Number.isFinite(drag)).toBe(true);
        expect(drag).toBeGreaterThanOrEqual(previous);
        expect(drag / previous).toBeLessThan(1.5);
        previous = drag;
      }
    }
  });

  it('grows with the waves and never falls below the current-only drag', () => {
    const current = { speed: 0.15, direction: 1 };
    let previous = CD_CURRENT;
    for (const height of [1, 2, 4, 8]) {
      const drag = waveCurrentDragCoefficient(current, { height, period: 14, direction: 0 }, 70);
      expect(drag).toBeGreaterThan(previous);
      previous = drag;
    }
    for (const speed of [0, 0.05, 0.5, 1.5]) {
      const drag = waveCurrentDragCoefficient({ speed, direction: 0 }, { height: 2, period: 9, direction: 2 }, 70);
      expect(drag).toBeGreaterThanOrEqual(CD_CURRENT);
    }
  });

  it('depends on the angle between waves and current only through |cos φ|', () => {
    const wave = (direction: number) => ({ height: 4, period: 14, direction });
    const current = { speed: 0.2, direction: 0.3 };
    const along = waveCurrentDragCoefficient(current, wave(0.3), 70);
    const against = waveCurrentDragCoefficient(current, wave(0.3 + Math.PI), 70);
    const across = waveCurrentDragCoefficient(current, wave(0.3 + Math.PI / 2), 70);
    expect(against / along).toBeCloseTo(1, 12);
    expect(across).not.toBeCloseTo(along, 6);
  });

  it('refuses a period that is not positive, a negative height, and a sea rougher than the reference height', () => {
    const current = { speed: 0.1, direction: 0 };
    expect(() => waveCurrentDragCoefficient(current, { height: 1, period: 0, direction: 0 }, 70)).toThrow(
      InvalidInputError,
    );
    expect(() => waveCurrentDragCoefficient(current, { height: -1, period: 8, direction: 0 }, 70)).toThrow(
      InvalidInputError,
    );
    const lowReference = { ...DEFAULT_WAVE_CURRENT_DRAG_PARAMETERS, referenceHeight: 0.01 };
    expect(() =>
      waveCurrentDragCoefficient(current, { height: 8, period: 16, direction: 0 }, 20, lowReference),
    ).toThrow(InvalidInputError);
  });

  it('refuses drag parameters out of range', () => {
    expect(() => checkDragParameters(DEFAULT_WAVE_CURRENT_DRAG_PARAMETERS)).not.toThrow();
    for (const wrong of [{ rounds: 0 }, { rounds: 2.5 }, { bedRoughness: 0 }, { referenceHeight: 1e-4 }]) {
      expect(() => checkDragParameters({ ...DEFAULT_WAVE_CURRENT_DRAG_PARAMETERS, ...wrong })).toThrow(
        InvalidInputError,
      );
    }
  });
});
