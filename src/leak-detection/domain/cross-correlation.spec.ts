import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { maxLaggedCorrelation } from './cross-correlation.js';
import { gaussianSeries } from './matrix-profile-reference.fixture.js';

/**
 * The full correlation computed the long way: every product x[i]·y[j] added to the bucket of
 * k = i − j (numpy's `correlate(x, y, 'full')[k + m − 1]`), then the window around the end-aligned
 * zero lag k = n − m, normalised and penalised.
 */
function direct(x: ArrayLike<number>, y: ArrayLike<number>, maxLag: number, lagPenalty: number) {
  const n = x.length;
  const m = y.length;
  const full = new Map<number, number>();
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) full.set(i - j, (full.get(i - j) ?? 0) + x[i] * y[j]);
  let energyX = 0;
  let energyY = 0;
  for (let i = 0; i < n; i++) energyX += x[i] ** 2;
  for (let j = 0; j < m; j++) energyY += y[j] ** 2;
  const values = [];
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    const raw = full.get(n - m + lag) ?? 0;
    values.push({ lag, value: raw / Math.sqrt(energyX * energyY) / (1 + lagPenalty * Math.abs(lag)) });
  }
  return values;
}

describe('lagged cross-correlation', () => {
  it('equals the direct computation on random series of equal and different lengths', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const x = gaussianSeries(130 + (seed % 4) * 5, seed);
      const y = gaussianSeries(144 - (seed % 3) * 4, 100 + seed);
      for (const [maxLag, lagPenalty] of [
        [0, 0],
        [12, 0.0001],
        [6, 0],
        [40, 0.05],
      ]) {
        const values = direct(x, y, maxLag, lagPenalty);
        const best = Math.max(...values.map((v) => v.value));
        const actual = maxLaggedCorrelation(x, y, { maxLag, lagPenalty });
        expect(actual.value).toBeCloseTo(best, 12);
        expect(values.find((v) => v.lag === actual.lag)!.value).toBeCloseTo(best, 12);
      }
    }
  });

  it('a hand-computed case: numpy.correlate([1,2,3,4], [0,1,0.5], "full") = [0.5, 2, 3.5, 5, 4, 0]', () => {
    // End-aligned zero lag is index m − 1 + (n − m) = 3 → 5; lags −1 and +1 give 3.5 and 4.
    // Energies 30 and 1.25: r(0) = 5 / √37.5; with β = 0.5, r(±1) = 3.5 or 4 / √37.5 / 1.5.
    expect(maxLaggedCorrelation([1, 2, 3, 4], [0, 1, 0.5], { maxLag: 1, lagPenalty: 0.5 })).toEqual({
      value: 5 / Math.sqrt(37.5),
      lag: 0,
    });
    // Unpenalised and over a wider window, lag 0 (5) still beats +1 (4), −1 (3.5) and −2 (2).
    expect(maxLaggedCorrelation([1, 2, 3, 4], [0, 1, 0.5], { maxLag: 3 }).lag).toBe(0);
  });

  it('finds the shift of a delayed copy, positive when the first series lags behind the second', () => {
    const base = gaussianSeries(200, 7);
    const x = base.slice(0, 150);
    const y = base.slice(3, 153); // y shows at t what x shows at t + 3
    expect(maxLaggedCorrelation(x, y, { maxLag: 12, lagPenalty: 0.0001 }).lag).toBe(3);
    expect(maxLaggedCorrelation(y, x, { maxLag: 12, lagPenalty: 0.0001 }).lag).toBe(-3);
    expect(maxLaggedCorrelation(x, y, { maxLag: 2 }).lag).not.toBe(3);
  });

  it('is 1 at lag 0 for a series with itself and is scale-invariant', () => {
    const x = gaussianSeries(144, 3);
    expect(maxLaggedCorrelation(x, x, { maxLag: 12, lagPenalty: 0.0001 })).toEqual({ value: 1, lag: 0 });
    const scaled = x.map((v) => v * 1e-6);
    expect(maxLaggedCorrelation(x, scaled, { maxLag: 12 }).value).toBeCloseTo(1, 12);
  });

  it('keeps a negative best inside the window instead of the zeros outside it', () => {
    const x = [1, -1, 1, -1, 1, -1];
    const opposite = x.map((v) => -v);
    const best = maxLaggedCorrelation(x, opposite, { maxLag: 0 });
    expect(best).toEqual({ value: -1, lag: 0 });
  });

  it('the penalty lets a smaller shift beat a slightly larger correlation; ties go nearest 0, then negative', () => {
    const x = [0, 0, 1, 0, 0, 0];
    // Unpenalised r(−2) = 1.00005 and r(+1) = 1 (before normalising); with β = 1e-4, +1 wins.
    const y = [0, 1, 0, 0, 1.00005, 0];
    expect(maxLaggedCorrelation(x, y, { maxLag: 3 }).lag).toBe(-2);
    expect(maxLaggedCorrelation(x, y, { maxLag: 3, lagPenalty: 0.0001 }).lag).toBe(1);
    expect(maxLaggedCorrelation(x, [0, 1, 0, 1, 0, 0], { maxLag: 3 }).lag).toBe(-1);
  });

  it('is 0 against an all-zero series', () => {
    expect(maxLaggedCorrelation([1, 2, 3], [0, 0, 0], { maxLag: 2 })).toEqual({ value: 0, lag: 0 });
  });

  it('refuses a negative window or penalty', () => {
    expect(() => maxLaggedCorrelation([1], [1], { maxLag: -1 })).toThrow(InvalidInputError);
    expect(() => maxLaggedCorrelation([1], [1], { maxLag: 1, lagPenalty: -0.1 })).toThrow(InvalidInputError);
  });
});
