import { describe, expect, it } from '@jest/globals';
import { BaselineCleaningError, cleanReadings, summariseCleaning } from './baseline-cleaning.js';
import { selectBaseline, type BaselineCandidate } from './baseline-selection.js';
import { DAY, periodicSeries, testBaseline, withBump } from './leak-series.fixture.js';
import { rescaleToStatistics, seriesStatistics } from './series-statistics.js';

/** Six plain days with one planted bump (cleaning removes it). */
const readings = withBump(periodicSeries(6 * DAY, { seed: 3 }), 500, 20, 8);
/** The cleaned readings' statistics. */
const cleaned = summariseCleaning(readings.length, cleanReadings(readings));

function candidate(name: string, values: Float64Array): BaselineCandidate {
  return { name, values, ...seriesStatistics(values) };
}

/** Nearly noiseless: its windows are all alike, so its 100 % distance is tiny and plain days are CRITICAL. */
function smoothLike(target: { mean: number; variance: number }): BaselineCandidate {
  const smooth = periodicSeries(3 * DAY, { seed: 9, noise: 0.01 });
  return candidate('smooth', rescaleToStatistics(smooth, target));
}

/** The test baseline with a fourth, wild day: it knows plain days, and its variance is far larger. */
const wide = candidate(
  'wide',
  periodicSeries(4 * DAY, { seed: 8, amplitude: (day) => (day === 3 ? 25 : day === 1 ? 12 : 10) }),
);
const close = candidate('close', testBaseline(7));

describe('selectBaseline', () => {
  it('picks the candidate with the nearest statistics among those that score the cleaned readings clean', () => {
    const smooth = smoothLike(cleaned);
    const fractions: number[] = [];
    const sut = selectBaseline(readings, [smooth, wide, close], { onProgress: (f) => fractions.push(f) });
    expect(sut.outcome).toBe('SELECTED');
    expect(sut).toMatchObject({ name: 'close' });
    const [smoothResult, wideResult, closeResult] = sut.evaluations;
    // The smooth one has the cleaned readings' very statistics, yet cannot describe them.
    expect(smoothResult).toMatchObject({ name: 'smooth', fits: false, level: 'CRITICAL' });
    expect(smoothResult.fits === false && smoothResult.position).toBeGreaterThanOrEqual(DAY);
    const error = (c: BaselineCandidate) => Math.hypot(cleaned.mean - c.mean, cleaned.variance - c.variance);
    expect(wideResult).toEqual({ name: 'wide', fits: true, error: error(wide) });
    expect(closeResult).toEqual({ name: 'close', fits: true, error: error(close) });
    expect(error(close)).toBeLessThan(error(wide));
    // Progress from 0 to 1, the candidates in the second half.
    expect(fractions[0]).toBe(0);
    expect(fractions.at(-1)).toBe(1);
    expect(fractions.every((f, k) => k === 0 || f >= fractions[k - 1])).toBe(true);
    expect(fractions.filter((f) => f > 0.5 && f < 1).length).toBeGreaterThan(10);
  });

  it('cleans first: the planted bump is not in the statistics', () => {
    const { cleaning } = selectBaseline(readings, [close]);
    expect(cleaning).toEqual(cleaned);
    expect(cleaning.readings).toBe(readings.length);
    expect(cleaning.kept).toBeLessThan(readings.length - 20);
    expect(cleaning.removed.some((span) => span.start <= 500 && span.end >= 520)).toBe(true);
    expect(cleaning.mean).toBeCloseTo(30, 0);
  });

  it('says "unchanged", and why, when no candidate fits or the current one is best', () => {
    expect(selectBaseline(readings, [smoothLike(cleaned)])).toMatchObject({
      outcome: 'UNCHANGED',
      reason: 'NO_CANDIDATE_FITS',
    });
    expect(selectBaseline(readings, [wide, close], { current: 'close' })).toMatchObject({
      outcome: 'UNCHANGED',
      reason: 'CURRENT_IS_BEST',
    });
  });

  it('uses the sensor thresholds', () => {
    const strict = selectBaseline(readings, [close], { settings: { warningPercent: 20, criticalPercent: 40 } });
    expect(strict).toMatchObject({ outcome: 'UNCHANGED', reason: 'NO_CANDIDATE_FITS' });
  });

  it('fails when nothing is left to score past the warm-up', () => {
    expect(() => selectBaseline(readings.subarray(0, DAY), [close])).toThrow(BaselineCleaningError);
  });
});
