import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { IncrementalMatrixProfile, type IncrementalMatrixProfileOptions } from './incremental-matrix-profile.js';
import { matrixProfile } from './matrix-profile.js';
import {
  bruteForceProfile,
  expectSameProfile,
  gaussianSeries,
  randomWalk,
  seededRandom,
} from './matrix-profile-reference.fixture.js';

/** Feeds `series` one point at a time and checks the profile against the batch one of the retained points after every update. */
function expectBatchAfterEveryUpdate(series: ArrayLike<number>, options: IncrementalMatrixProfileOptions) {
  const sut = new IncrementalMatrixProfile(options);
  for (let k = 0; k < series.length; k++) {
    sut.update(series[k]);
    const retained = Array.from({ length: Math.min(k + 1, options.maxLength) }, (_, t) => {
      const x = series[k + 1 - Math.min(k + 1, options.maxLength) + t];
      return Number.isFinite(x) ? x : NaN;
    });
    const kept = sut.series();
    if (kept.length !== retained.length || kept.some((x, t) => !Object.is(x, retained[t]))) {
      throw new Error(`after ${k + 1} points the retained series is not the newest ${retained.length}`);
    }
    if (retained.length < options.windowSize) {
      expect(sut.windowCount).toBe(0);
      continue;
    }
    const actual = sut.profile();
    const expected = matrixProfile(retained, options.windowSize, options);
    expectSameProfile(actual, expected, retained);
    const newest = sut.newestNeighbour();
    const last = expected.distances.length - 1;
    expect(newest.index).toBe(actual.indices[last]);
    expect(newest.distance).toBe(actual.distances[last]);
  }
  return sut;
}

const variants = [
  { name: 'non-normalised', normalized: false },
  { name: 'z-normalised', normalized: true },
];

describe.each(variants)('$name incremental matrix profile', ({ normalized }) => {
  it.each([
    [3, 0],
    [4, undefined],
    [10, undefined],
    [10, 25],
    [32, undefined],
  ])(
    'window %p, exclusion zone %p: equals the batch profile after every update, across the history bound',
    (m, zone) => {
      // 120 points: full at 120, buffers (184 positions) shifted back at 184.
      const series = randomWalk(230, 200 + m, 10);
      expectBatchAfterEveryUpdate(series, { windowSize: m, maxLength: 120, normalized, exclusionZone: zone });
    },
  );

  it('a window of 144 over a history of 300 points', () => {
    // Buffers of 256 positions grow to 364 and are shifted back at point 364.
    expectBatchAfterEveryUpdate(randomWalk(380, 9, 30), { windowSize: 144, maxLength: 300, normalized });
  });

  it('NaN and ±Infinity readings, and constant stretches, entering and leaving the history', () => {
    const series = gaussianSeries(260, 17);
    series[30] = NaN;
    series[31] = Infinity;
    series[120] = -Infinity;
    for (let k = 60; k < 80; k++) series[k] = 3;
    for (let k = 150; k < 175; k++) series[k] = 3;
    for (let k = 200; k < 212; k++) series[k] = -1;
    expectBatchAfterEveryUpdate(series, { windowSize: 8, maxLength: 90, normalized });
  });

  it('integer readings with many exact ties: the same neighbours as the batch profile', () => {
    const random = seededRandom(5);
    const series = Array.from({ length: 220 }, () => Math.floor(random() * 3));
    const sut = new IncrementalMatrixProfile({ windowSize: 4, maxLength: 70, normalized });
    series.forEach((x, k) => {
      sut.update(x);
      if (k < 3 || normalized) return;
      const expected = matrixProfile(sut.series(), 4, { normalized });
      const actual = sut.profile();
      expect([...actual.indices, ...actual.leftIndices, ...actual.rightIndices]).toEqual([
        ...expected.indices,
        ...expected.leftIndices,
        ...expected.rightIndices,
      ]);
    });
  });

  it('stays exact when windows have more left-neighbour records than it keeps', () => {
    // A slow drift back towards old levels gives many records; one kept per window forces recomputation.
    const series = gaussianSeries(240, 29).map((x, k) => 0.3 * x + Math.cos(k / 40) * (1 + k / 100));
    expectBatchAfterEveryUpdate(series, { windowSize: 6, maxLength: 100, normalized, maxRecordsPerWindow: 1 });
  });

  it('grows its buffers and shifts them back with a long history', () => {
    const series = randomWalk(560, 3);
    const sut = new IncrementalMatrixProfile({ windowSize: 5, maxLength: 400, normalized });
    series.forEach((x, k) => {
      sut.update(x);
      // Buffers of 256 positions grow to 464 at point 256 and shift back at point 464.
      if (k < 4 || (k % 25 !== 0 && !(k > 252 && k < 260) && !(k > 460 && k < 468))) return;
      const retained = sut.series();
      expect(retained).toEqual(series.slice(Math.max(0, k + 1 - 400), k + 1));
      expectSameProfile(sut.profile(), matrixProfile(retained, 5, { normalized }), retained);
    });
  });

  it('agrees with the brute-force reference', () => {
    const series = randomWalk(240, 77);
    const sut = IncrementalMatrixProfile.fromSeries(series, { windowSize: 12, maxLength: 150, normalized });
    const retained = series.slice(90);
    expectSameProfile(sut.profile(), bruteForceProfile(retained, 12, normalized, 3), retained);
  });

  it('saved and restored (as state or bytes) or cloned, it continues exactly as the original', () => {
    const series = gaussianSeries(300, 61).map((x, k) => (k === 140 ? NaN : x + Math.sin(k / 7)));
    const original = new IncrementalMatrixProfile({ windowSize: 9, maxLength: 110, normalized });
    for (let k = 0; k < 150; k++) original.update(series[k]);
    const copies = [
      IncrementalMatrixProfile.fromState(original.state()),
      IncrementalMatrixProfile.fromBytes(original.toBytes()),
      original.clone(),
    ];
    for (let k = 150; k < series.length; k++) {
      original.update(series[k]);
      for (const copy of copies) copy.update(series[k]);
      // Equal saved states: the same numbers bit for bit (Buffer.equals: jest's toEqual is slow on bytes).
      const expected = Buffer.from(original.toBytes());
      for (const copy of copies) expect(Buffer.from(copy.toBytes()).equals(expected)).toBe(true);
    }
    for (const copy of copies) expect(copy.profile()).toEqual(original.profile());
  });

  it('a clone is independent of its original', () => {
    const original = IncrementalMatrixProfile.fromSeries(randomWalk(80, 8), {
      windowSize: 6,
      maxLength: 60,
      normalized,
    });
    const before = original.profile();
    const clone = original.clone();
    clone.update(1e3);
    expect(original.profile()).toEqual(before);
    expect(clone.series()).toHaveLength(60);
  });

  it('fromSeries keeps the newest maxLength points, as feeding them one by one does', () => {
    const series = randomWalk(200, 4);
    const sut = IncrementalMatrixProfile.fromSeries(series, { windowSize: 7, maxLength: 90, normalized });
    const fed = new IncrementalMatrixProfile({ windowSize: 7, maxLength: 90, normalized });
    series.slice(110).forEach((x) => fed.update(x));
    expect(Buffer.from(sut.toBytes()).equals(Buffer.from(fed.toBytes()))).toBe(true);
    expect(sut.length).toBe(90);
    expect(sut.windowCount).toBe(84);
  });
});

describe('incremental matrix profile boundaries', () => {
  it('has no neighbour before two windows are far enough apart', () => {
    const sut = new IncrementalMatrixProfile({ windowSize: 4, maxLength: 50 });
    [1, 2, 3, 4, 5].forEach((x) => sut.update(x));
    expect(sut.windowCount).toBe(2);
    expect(sut.newestNeighbour()).toEqual({ distance: Infinity, index: -1 });
    [6, 1, 2].forEach((x) => sut.update(x));
    // [5, 6, 1, 2] against [1, 2, 3, 4], [2, 3, 4, 5] and [3, 4, 5, 6]: squared distances 40, 36, 40.
    expect(sut.newestNeighbour()).toEqual({ distance: 6, index: 1 });
  });

  it.each([
    [{ windowSize: 2, maxLength: 10 }, 'windowSize'],
    [{ windowSize: 12, maxLength: 10 }, 'windowSize'],
    [{ windowSize: 4, maxLength: 10, exclusionZone: -1 }, 'exclusionZone'],
    [{ windowSize: 4, maxLength: 10, maxRecordsPerWindow: 0 }, 'maxRecordsPerWindow'],
  ])('refuses %p', (options, field) => {
    expect(() => new IncrementalMatrixProfile(options)).toThrow(InvalidInputError);
    try {
      new IncrementalMatrixProfile(options);
    } catch (error) {
      expect((error as InvalidInputError).details.fields).toHaveProperty(field);
    }
  });

  it('saves records in 4 bytes when the history is longer than 16 bits can say', () => {
    const options = { windowSize: 5, maxLength: 70_000 };
    const sut = IncrementalMatrixProfile.fromSeries(randomWalk(300, 12), options);
    const restored = IncrementalMatrixProfile.fromBytes(sut.toBytes());
    expect(restored.state()).toEqual(sut.state());
    sut.update(3);
    restored.update(3);
    expect(restored.profile()).toEqual(sut.profile());
  });

  it('refuses bytes that are not a saved profile, or cut short', () => {
    const bytes = IncrementalMatrixProfile.fromSeries(randomWalk(40, 1), { windowSize: 5, maxLength: 30 }).toBytes();
    expect(() => IncrementalMatrixProfile.fromBytes(bytes.slice(0, bytes.length - 3))).toThrow(InvalidInputError);
    expect(() => IncrementalMatrixProfile.fromBytes(new Uint8Array(64))).toThrow(InvalidInputError);
  });
});
