import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { PreparedBaseline } from './anomaly-scoring.js';
import { augmentBaseline } from './baseline-augmentation.js';
import { cleanReadings } from './baseline-cleaning.js';
import { DAY, periodicSeries, testBaseline, withBump } from './leak-series.fixture.js';
import { seriesStatistics } from './series-statistics.js';

const baseline = testBaseline();
/** Six days after the baseline, with a planted bump that cleaning removes. */
const readings = withBump(periodicSeries(6 * DAY, { seed: 4, from: 3 * DAY }), 500, 20, 8);

describe('augmentBaseline', () => {
  it('appends the cleaned readings after a joint, and keeps the newest maxLength points', () => {
    const sut = augmentBaseline({ values: baseline }, readings, { maxLength: 5 * DAY });
    const added = sut.added;
    expect(added).toBe(sut.cleaning.kept);
    expect(added).toBeLessThan(readings.length - 20);
    expect(sut.dropped).toBe(baseline.length + added - 5 * DAY);
    expect(sut.values).toHaveLength(5 * DAY);
    // The newest points are the cleaned readings, in time order, without the bump.
    const kept = Array.from(readings).filter((_, k) => !sut.cleaning.removed.some((s) => k >= s.start && k < s.end));
    expect(Array.from(sut.values.subarray(sut.values.length - added))).toEqual(kept);
    expect(sut.values.some((x, k) => k >= sut.values.length - added && x > 45)).toBe(false);
    // A joint where the readings start (unless dropped) and one per kept stretch after the first.
    const cleaned = cleanReadings(readings);
    const joints = [baseline.length, ...cleaned.joints.map((j) => baseline.length + j)];
    expect(sut.joints).toEqual(joints.map((j) => j - sut.dropped).filter((j) => j > 0));
    expect(cleaned.joints.length).toBeGreaterThan(0);
    expect(seriesStatistics(sut.values)).toEqual({ mean: sut.mean, variance: sut.variance });
    expect(PreparedBaseline.prepare(sut.values, DAY, sut.joints).maxDistance).toBeGreaterThan(0);
  });

  it('keeps the whole when it fits, with the baseline’s own joints moved along', () => {
    const sut = augmentBaseline({ values: baseline, joints: [100] }, readings);
    expect(sut.dropped).toBe(0);
    expect(sut.values.subarray(0, baseline.length)).toEqual(baseline);
    expect(sut.joints.slice(0, 2)).toEqual([100, baseline.length]);
  });

  it('refuses a bound below two windows, and reports progress up to 1', () => {
    expect(() => augmentBaseline({ values: baseline }, readings, { maxLength: DAY })).toThrow(InvalidInputError);
    const fractions: number[] = [];
    augmentBaseline({ values: baseline }, readings, { onProgress: (f) => fractions.push(f) });
    expect(fractions[0]).toBe(0);
    expect(fractions.at(-1)).toBe(1);
  });
});
