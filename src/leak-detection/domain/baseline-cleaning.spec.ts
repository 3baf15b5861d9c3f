import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import {
  acceptableDiscordDistance,
  BaselineCleaningError,
  cleanReadings,
  topDiscords,
  type Span,
} from './baseline-cleaning.js';
import { DAY, periodicSeries, withBump } from './leak-series.fixture.js';

const clean = periodicSeries(10 * DAY, { seed: 3 });
/** Two planted discords: a rise of 8 ppmv for 20 readings, a drop of 10 for 10. */
const dirty = withBump(withBump(clean, 400, 20, 8), 1000, 10, -10);

function failure(run: () => unknown): BaselineCleaningError {
  try {
    run();
  } catch (error) {
    if (error instanceof BaselineCleaningError) return error;
    throw error;
  }
  throw new Error('no failure');
}

const inside = (k: number, spans: Span[]) => spans.some((span) => k >= span.start && k < span.end);

describe('cleanReadings', () => {
  it('keeps a series without discords intact', () => {
    const sut = cleanReadings(clean);
    expect(sut.values).toEqual(clean);
    expect(sut.removed).toEqual([]);
    expect(sut.joints).toEqual([]);
    expect(sut.kept).toEqual([{ start: 0, end: clean.length }]);
    expect(sut.discords.every((d) => d.distance <= sut.acceptableDistance)).toBe(true);
  });

  it('removes [i − m, i + 2m) around the discords above the acceptable distance, and keeps the rest in time order', () => {
    const sut = cleanReadings(dirty);
    for (let k = 400; k < 420; k++) expect(inside(k, sut.removed)).toBe(true);
    for (let k = 1000; k < 1010; k++) expect(inside(k, sut.removed)).toBe(true);
    const cut = sut.discords.filter((d) => d.distance > sut.acceptableDistance);
    // Each bump makes two discords: the windows it ends and the windows it starts.
    expect(cut).toHaveLength(4);
    for (const { index } of cut) {
      expect(
        inside(Math.max(index - DAY, 0), sut.removed) &&
          inside(Math.min(index + 2 * DAY, dirty.length) - 1, sut.removed),
      ).toBe(true);
    }
    // Largest first; the walk stops at the first acceptable one.
    expect(sut.discords.map((d) => d.distance)).toEqual(sut.discords.map((d) => d.distance).sort((a, b) => b - a));
    const expected = Array.from(dirty).filter((_, k) => !inside(k, sut.removed));
    expect(Array.from(sut.values)).toEqual(expected);
    let at = 0;
    const joints = sut.kept.slice(0, -1).map((span) => (at += span.end - span.start));
    expect(sut.joints).toEqual(joints);
    expect(sut.kept.concat(sut.removed).reduce((sum, span) => sum + span.end - span.start, 0)).toBe(dirty.length);
  });

  it('fails, saying why, with fewer than a window of readings', () => {
    const error = failure(() => cleanReadings(clean.subarray(0, DAY - 1)));
    expect(error.reason).toBe('TOO_FEW_READINGS');
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain('144');
  });

  it('fails when every discord is at or above the cut', () => {
    const loud = clean.map((x) => x * 1000);
    expect(failure(() => cleanReadings(loud)).reason).toBe('NO_ACCEPTABLE_DISTANCE');
  });

  it('refuses non-finite readings', () => {
    const holed = clean.slice();
    holed[5] = NaN;
    expect(() => cleanReadings(holed)).toThrow(InvalidInputError);
  });

  it('reports progress through the matrix profile in steps of about 1 %, up to 1', () => {
    const fractions: number[] = [];
    cleanReadings(dirty, { onProgress: (f) => fractions.push(f) });
    expect(fractions[0]).toBe(0);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions).toContain(0.95);
    expect(fractions.length).toBeGreaterThan(80);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
  });
});

describe('discords and the acceptable distance', () => {
  it('takes the largest distance, blanks ±zone around it, k times', () => {
    const distances = Float64Array.from([1, 9, 2, 3, 8, 1, 7, 4]);
    expect(topDiscords(distances, 3, 1)).toEqual([
      { index: 1, distance: 9 },
      { index: 4, distance: 8 },
      { index: 6, distance: 7 },
    ]);
    expect(topDiscords(distances, 10, 2).map((d) => d.index)).toEqual([1, 4, 7]);
  });

  it('drops distances at or above the cut and those 5 MADs or more from the median', () => {
    // median 11, deviations [1, 0, 1, 0, 1, 39], MAD 1: 50 is 39 MADs out; 2500 is above the cut.
    expect(acceptableDiscordDistance([10, 11, 12, 11, 10, 50, 2500], 2000, 5)).toBe(12);
    // A MAD of 0 counts as 1 (as in the original): 15 is 4 away from 11, kept.
    expect(acceptableDiscordDistance([11, 11, 11, 15], 2000, 5)).toBe(15);
    expect(() => acceptableDiscordDistance([2000, 3000], 2000, 5)).toThrow(BaselineCleaningError);
  });
});
