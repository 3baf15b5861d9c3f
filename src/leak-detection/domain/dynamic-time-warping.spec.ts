import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { dynamicTimeWarping } from './dynamic-time-warping.js';
import { seededRandom } from './matrix-profile-reference.fixture.js';

/** Every warping path, enumerated: the least cost and, among the least-cost paths, the shortest. */
function bruteForce(x: number[], y: number[], allowed = (_i: number, _j: number) => true) {
  let best = { distance: Infinity, pathLength: Infinity };
  const walk = (i: number, j: number, cost: number, length: number) => {
    if (!allowed(i, j)) return;
    const total = cost + Math.abs(x[i] - y[j]);
    if (i === x.length - 1 && j === y.length - 1) {
      if (total < best.distance || (total === best.distance && length + 1 < best.pathLength)) {
        best = { distance: total, pathLength: length + 1 };
      }
      return;
    }
    if (i + 1 < x.length) walk(i + 1, j, total, length + 1);
    if (j + 1 < y.length) walk(i, j + 1, total, length + 1);
    if (i + 1 < x.length && j + 1 < y.length) walk(i + 1, j + 1, total, length + 1);
  };
  walk(0, 0, 0, 0);
  return best;
}

/** The textbook full cost matrix, for sizes too large to enumerate. */
function fullMatrix(x: number[], y: number[]): number {
  const cost = x.map(() => y.map(() => Infinity));
  for (let i = 0; i < x.length; i++) {
    for (let j = 0; j < y.length; j++) {
      const before =
        i === 0 && j === 0
          ? 0
          : Math.min(
              i > 0 ? cost[i - 1][j] : Infinity,
              j > 0 ? cost[i][j - 1] : Infinity,
              i > 0 && j > 0 ? cost[i - 1][j - 1] : Infinity,
            );
      cost[i][j] = before + Math.abs(x[i] - y[j]);
    }
  }
  return cost[x.length - 1][y.length - 1];
}

function randomSeries(length: number, seed: number, integers = false): number[] {
  const random = seededRandom(seed);
  return Array.from({ length }, () => (integers ? Math.floor(random() * 4) : random() * 10 - 5));
}

describe('dynamic time warping', () => {
  it('equals the brute-force enumeration of warping paths, lengths equal and not', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const x = randomSeries(1 + (seed % 6), seed);
      const y = randomSeries(1 + ((seed * 7) % 6), 1000 + seed);
      const actual = dynamicTimeWarping(x, y);
      const expected = bruteForce(x, y);
      expect(actual.distance).toBeCloseTo(expected.distance, 12);
      expect(actual.pathLength).toBe(expected.pathLength);
    }
  });

  it('reports the shortest of equally cheap paths (integer series have many ties)', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const x = randomSeries(2 + (seed % 5), seed, true);
      const y = randomSeries(2 + ((seed * 3) % 5), 500 + seed, true);
      expect(dynamicTimeWarping(x, y)).toEqual(bruteForce(x, y));
    }
  });

  it('costs 0 over a path as long as the longer series when one is the other stretched', () => {
    expect(dynamicTimeWarping([1, 2, 3], [1, 1, 2, 2, 2, 3])).toEqual({ distance: 0, pathLength: 6 });
    expect(dynamicTimeWarping([4], [4, 4, 4])).toEqual({ distance: 0, pathLength: 3 });
  });

  it('sums absolute differences along the path: a hand-computed case', () => {
    // x = [0, 2], y = [1]: the only path pairs (0,0) and (1,0): |0 − 1| + |2 − 1| = 2 over 2 pairs.
    expect(dynamicTimeWarping([0, 2], [1])).toEqual({ distance: 2, pathLength: 2 });
    // x = [0, 0, 5], y = [0, 5, 5]: (0,0) (1,0) (2,1) (2,2) costs 0; the diagonal-only path costs 5 + 0.
    expect(dynamicTimeWarping([0, 0, 5], [0, 5, 5])).toEqual({ distance: 0, pathLength: 4 });
  });

  it('with a band of max(n, m) or more equals the unconstrained distance', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const x = randomSeries(40 + seed, seed);
      const y = randomSeries(35 + 2 * seed, 77 + seed);
      const exact = dynamicTimeWarping(x, y);
      expect(exact.distance).toBeCloseTo(fullMatrix(x, y), 9);
      expect(dynamicTimeWarping(x, y, { band: Math.max(x.length, y.length) })).toEqual(exact);
      expect(dynamicTimeWarping(x, y, { band: 10 * x.length })).toEqual(exact);
    }
  });

  it('with a narrow band equals the enumeration of the paths inside the band', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const x = randomSeries(2 + (seed % 6), seed);
      const y = randomSeries(2 + ((seed * 5) % 6), 300 + seed);
      for (const band of [0, 1, 2]) {
        const inside = (i: number, j: number) =>
          j >= i - band - Math.max(0, x.length - y.length) && j <= i + band + Math.max(0, y.length - x.length);
        const actual = dynamicTimeWarping(x, y, { band });
        const expected = bruteForce(x, y, inside);
        expect(actual.distance).toBeCloseTo(expected.distance, 12);
        expect(actual.pathLength).toBe(expected.pathLength);
        expect(actual.distance).toBeGreaterThanOrEqual(dynamicTimeWarping(x, y).distance - 1e-12);
      }
    }
  });

  it('band 0 on equal lengths is the plain sum of absolute differences', () => {
    const x = randomSeries(144, 3);
    const y = randomSeries(144, 4);
    const direct = x.reduce((sum, v, i) => sum + Math.abs(v - y[i]), 0);
    const banded = dynamicTimeWarping(x, y, { band: 0 });
    expect(banded.distance).toBeCloseTo(direct, 9);
    expect(banded.pathLength).toBe(144);
  });

  it('refuses empty series and a negative or fractional band', () => {
    expect(() => dynamicTimeWarping([], [1])).toThrow(InvalidInputError);
    expect(() => dynamicTimeWarping([1], [1], { band: -1 })).toThrow(InvalidInputError);
    expect(() => dynamicTimeWarping([1], [1], { band: 1.5 })).toThrow(InvalidInputError);
  });
});
