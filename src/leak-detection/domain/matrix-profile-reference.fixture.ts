import { expect } from '@jest/globals';
import { combineSides, type MatrixProfile } from './matrix-profile.js';

/**
 * The textbook matrix profile, computed the slow and obvious way for the tests: every window
 * z-normalised (or not) on its own, every pair's Euclidean distance summed from scratch.
 */
export function bruteForceProfile(
  series: ArrayLike<number>,
  m: number,
  normalized: boolean,
  exclusionZone: number,
): MatrixProfile {
  const count = series.length - m + 1;
  const windows = Array.from({ length: count }, (_, w) => Array.from({ length: m }, (_, t) => series[w + t]));
  const finite = windows.map((x) => x.every(Number.isFinite));
  const distance = (i: number, j: number) => windowDistance(windows[i], windows[j], normalized);
  const side = (w: number, partners: number[]): [number, number] => {
    let best: [number, number] = [Infinity, -1];
    if (!finite[w]) return best;
    for (const p of partners) {
      if (!finite[p]) continue;
      const d = distance(w, p);
      if (d < best[0]) best = [d, p];
    }
    return best;
  };
  const left = Array.from({ length: count }, (_, w) => {
    // Nearest first, so that among equal distances the nearest in time is kept.
    const partners = [];
    for (let p = w - exclusionZone - 1; p >= 0; p--) partners.push(p);
    return side(w, partners);
  });
  const right = Array.from({ length: count }, (_, w) => {
    const partners = [];
    for (let p = w + exclusionZone + 1; p < count; p++) partners.push(p);
    return side(w, partners);
  });
  const sides = {
    leftDistances: Float64Array.from(left, ([d]) => d),
    leftIndices: Int32Array.from(left, ([, i]) => i),
    rightDistances: Float64Array.from(right, ([d]) => d),
    rightIndices: Int32Array.from(right, ([, i]) => i),
  };
  return { windowSize: m, exclusionZone, normalized, ...sides, ...combineSides(sides) };
}

function windowDistance(x: number[], y: number[], normalized: boolean): number {
  const isConstant = (v: number[]) => v.every((value) => value === v[0]);
  if (normalized && isConstant(x) && isConstant(y)) return 0;
  if (normalized && (isConstant(x) || isConstant(y))) return Math.sqrt(x.length);
  const [a, b] = normalized ? [zNormalize(x), zNormalize(y)] : [x, y];
  let sum = 0;
  for (let t = 0; t < a.length; t++) sum += (a[t] - b[t]) ** 2;
  return Math.sqrt(sum);
}

function zNormalize(x: number[]): number[] {
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  const std = Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length);
  return x.map((v) => (v - mean) / std);
}

/** Distance between windows i and j as the reference defines it (for checking an index among equals). */
export function referenceDistance(series: ArrayLike<number>, m: number, normalized: boolean, i: number, j: number) {
  const window = (start: number) => Array.from({ length: m }, (_, t) => series[start + t]);
  return windowDistance(window(i), window(j), normalized);
}

/**
 * Distances agree to 1e-9 (relative above 1); an index is the reference's, or another neighbour
 * at a distance that differs from the reference's only by rounding.
 */
export function expectSameProfile(
  actual: MatrixProfile,
  expected: MatrixProfile,
  series: ArrayLike<number>,
  tolerance = 1e-9,
): void {
  const m = expected.windowSize;
  const close = (a: number, b: number) => a === b || Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b));
  const pairs: Array<[keyof MatrixProfile, keyof MatrixProfile]> = [
    ['distances', 'indices'],
    ['leftDistances', 'leftIndices'],
    ['rightDistances', 'rightIndices'],
  ];
  expect(actual.distances).toHaveLength(expected.distances.length);
  for (const [distanceKey, indexKey] of pairs) {
    const actualDistances = actual[distanceKey] as Float64Array;
    const expectedDistances = expected[distanceKey] as Float64Array;
    const actualIndices = actual[indexKey] as Int32Array;
    const expectedIndices = expected[indexKey] as Int32Array;
    for (let w = 0; w < expectedDistances.length; w++) {
      if (!close(actualDistances[w], expectedDistances[w])) {
        throw new Error(`${distanceKey}[${w}] = ${actualDistances[w]}, expected ${expectedDistances[w]}`);
      }
      if (actualIndices[w] === expectedIndices[w]) continue;
      // Windows equal up to rounding may be chosen either way (callers check exact ties themselves).
      const at = actualIndices[w];
      const tie = at >= 0 && close(referenceDistance(series, m, expected.normalized, w, at), expectedDistances[w]);
      if (!tie || Math.abs(at - w) <= expected.exclusionZone) {
        throw new Error(`${indexKey}[${w}] = ${at}, expected ${expectedIndices[w]}`);
      }
    }
  }
}

/** Seeded uniform numbers in [0, 1) (mulberry32), so that a failing case can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function gaussianSeries(length: number, seed: number): Float64Array {
  const random = seededRandom(seed);
  const out = new Float64Array(length);
  for (let k = 0; k < length; k++) {
    out[k] = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  }
  return out;
}

export function randomWalk(length: number, seed: number, start = 0): Float64Array {
  const steps = gaussianSeries(length, seed);
  let level = start;
  return steps.map((step) => (level += step));
}
