import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { defaultExclusionZone, matrixProfile } from './matrix-profile.js';
import {
  bruteForceProfile,
  expectSameProfile,
  gaussianSeries,
  randomWalk,
  seededRandom,
} from './matrix-profile-reference.fixture.js';

const variants = [
  { name: 'z-normalised', normalized: true },
  { name: 'non-normalised', normalized: false },
];

function expectMatchesReference(series: ArrayLike<number>, m: number, normalized: boolean, exclusionZone?: number) {
  const actual = matrixProfile(series, m, { normalized, exclusionZone });
  const zone = exclusionZone ?? defaultExclusionZone(m);
  expect(actual.exclusionZone).toBe(zone);
  expectSameProfile(actual, bruteForceProfile(series, m, normalized, zone), series);
  return actual;
}

describe.each(variants)('$name matrix profile against the brute-force reference', ({ normalized }) => {
  it.each([3, 4, 10, 32])('window %i, default, zero and large exclusion zones, noise and a random walk', (m) => {
    const noise = gaussianSeries(260, 11 + m);
    const walk = randomWalk(260, 97 + m, 50);
    for (const series of [noise, walk]) {
      for (const zone of [undefined, 0, 3 * m]) expectMatchesReference(series, m, normalized, zone);
    }
  });

  it('a window of 144 on 520 points', () => {
    expectMatchesReference(randomWalk(520, 5, 300), 144, normalized);
  });

  it('large values with small variations keep their precision', () => {
    const series = gaussianSeries(400, 23).map((x, k) => 1e4 + 10 * Math.sin(k / 9) + x);
    expectMatchesReference(series, 24, normalized);
  });

  it('windows with NaN or ±Infinity are +∞ with index −1 and nobody’s neighbour', () => {
    const series = gaussianSeries(240, 31);
    series[0] = NaN;
    series[57] = Infinity;
    series[58] = NaN;
    series[160] = -Infinity;
    series[239] = NaN;
    const actual = expectMatchesReference(series, 10, normalized);
    for (const w of [0, 48, 57, 58, 151, 160, 230]) {
      expect(actual.distances[w]).toBe(Infinity);
      expect(actual.indices[w]).toBe(-1);
    }
    const windowsWithNonFinite = (k: number) => k === 0 || (k >= 48 && k <= 58) || (k >= 151 && k <= 160) || k >= 230;
    for (const index of [...actual.indices, ...actual.leftIndices, ...actual.rightIndices]) {
      if (index >= 0) expect(windowsWithNonFinite(index)).toBe(false);
    }
  });

  it('a series with no finite window has an empty profile', () => {
    const actual = expectMatchesReference([1, NaN, 2, 3, NaN, 4, 5, NaN], 3, normalized);
    expect([...actual.indices]).toEqual(new Array(6).fill(-1));
  });

  it('no window has a neighbour when the exclusion zone covers the series', () => {
    const actual = expectMatchesReference(gaussianSeries(40, 3), 8, normalized, 32);
    expect(actual.distances.every((d) => d === Infinity)).toBe(true);
  });

  it('constant windows among others, and ties resolved to the nearest neighbour, left first', () => {
    const random = seededRandom(41);
    const series = gaussianSeries(300, 43);
    for (const [start, length, level] of [
      [20, 30, 2],
      [90, 12, 2],
      [150, 40, -1],
      [260, 25, 0],
    ]) {
      for (let k = start; k < start + length; k++) series[k] = level;
    }
    series[200] = Math.round(random() * 4);
    for (const zone of [undefined, 0]) {
      const actual = expectMatchesReference(series, 10, normalized, zone);
      if (!normalized) continue;
      // Constant windows are exact in the z-normalised profile: their ties follow the rule exactly.
      const expected = bruteForceProfile(series, 10, true, zone ?? defaultExclusionZone(10));
      const constantWindows = [20, 25, 150, 170, 260, 275];
      for (const w of constantWindows) {
        expect([actual.indices[w], actual.leftIndices[w], actual.rightIndices[w]]).toEqual([
          expected.indices[w],
          expected.leftIndices[w],
          expected.rightIndices[w],
        ]);
      }
    }
  });

  it('integer-valued series with many exact ties pick the neighbour stumpy picks', () => {
    const random = seededRandom(7);
    const series = Array.from({ length: 200 }, () => Math.floor(random() * 3));
    const actual = matrixProfile(series, 4, { normalized });
    const expected = bruteForceProfile(series, 4, normalized, defaultExclusionZone(4));
    expectSameProfile(actual, expected, series);
    if (!normalized) expect([...actual.indices]).toEqual([...expected.indices]);
  });

  it('a series that is constant throughout', () => {
    const actual = expectMatchesReference(new Array(30).fill(7.5), 5, normalized);
    expect([...actual.distances]).toEqual(new Array(26).fill(0));
  });
});

describe.each(variants)('$name matrix profile progress', ({ normalized }) => {
  it('reports the share of the matrix walked every few diagonals, rising to 1, without changing the profile', () => {
    const series = randomWalk(2_000, 3, 40);
    const fractions: number[] = [];
    const reported = matrixProfile(series, 32, { normalized, onProgress: (f) => fractions.push(f) });
    expect(reported).toEqual(matrixProfile(series, 32, { normalized }));
    // 1,960 diagonals after the exclusion zone, reported every four or more often.
    expect(fractions.length).toBeGreaterThanOrEqual(490);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions[0]).toBeGreaterThan(0);
    expect(fractions.at(-1)).toBe(1);
  });
});

describe('z-normalised matrix profile', () => {
  it('gives stumpy’s own documented example', () => {
    const actual = matrixProfile([584, -11, 23, 79, 1001, 0, -19], 3);
    const stumpyDistances = [
      0.11633857113691416, 2.694073918063438, 3.0000926340485923, 2.694073918063438, 0.11633857113691416,
    ];
    actual.distances.forEach((d, w) => expect(d).toBeCloseTo(stumpyDistances[w], 12));
    expect([...actual.indices]).toEqual([4, 3, 0, 1, 0]);
    expect([...actual.leftIndices]).toEqual([-1, -1, 0, 1, 0]);
    expect([...actual.rightIndices]).toEqual([4, 3, 4, -1, -1]);
  });

  it('puts a constant window at √m from a non-constant one and at 0 from another constant one', () => {
    const series = [5, 5, 5, 5, 1, 2, 9, 4, 3, 3, 3, 3];
    const actual = matrixProfile(series, 4, { exclusionZone: 0 });
    expect(actual.distances[0]).toBe(0);
    expect(actual.indices[0]).toBe(8);
    expect(actual.rightDistances[1]).toBeLessThanOrEqual(2);
    expect(matrixProfile([5, 5, 5, 5, 1, 2, 9, 4], 4, { exclusionZone: 0 }).distances[0]).toBe(2);
  });
});

describe('matrix profile parameters', () => {
  it.each([
    [2, undefined, 'windowSize'],
    [3.5, undefined, 'windowSize'],
    [11, undefined, 'windowSize'],
    [4, -1, 'exclusionZone'],
    [4, 1.5, 'exclusionZone'],
  ])('window %p with exclusion zone %p is refused, naming %s', (m, zone, field) => {
    const call = () => matrixProfile(gaussianSeries(10, 1), m, { exclusionZone: zone });
    expect(call).toThrow(InvalidInputError);
    try {
      call();
    } catch (error) {
      expect((error as InvalidInputError).details.fields).toHaveProperty(field);
    }
  });
});
