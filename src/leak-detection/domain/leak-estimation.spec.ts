import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { maxLaggedCorrelation } from './cross-correlation.js';
import { dynamicTimeWarping } from './dynamic-time-warping.js';
import {
  DEFAULT_ESTIMATION_PARAMETERS,
  estimateLeak,
  resolveEstimationParameters,
  zScores,
  type Estimation,
  type EstimationParameters,
} from './leak-estimation.js';
import { simulateLeaks } from './leak-simulation.js';
import { gaussianSeries, randomWalk } from './matrix-profile-reference.fixture.js';

/** A simulated sensor series: a plume passing the sensor around step `centre`, in kg/m³. */
function plume(centre: number, width: number, length = 144): Float64Array {
  return Float64Array.from({ length }, (_, t) => 1e-5 * Math.exp(-((t - centre) ** 2) / (2 * width * width)));
}

const HYPOTHESES: { id: string; series: Float64Array }[] = [
  { id: 'LMF1', series: plume(30, 8) },
  { id: 'LMF2', series: plume(60, 12) },
  { id: 'LMF3', series: plume(90, 6) },
  { id: 'LMF4', series: plume(120, 10) },
  { id: 'LPFL', series: plume(100, 20) },
];

/** ppmv readings: a 50 ppmv background, the shape scaled to `height` ppmv, Gaussian noise of `noise`. */
function readingsWith(shape: ArrayLike<number>, seed: number, noise = 1, height = 20): Float64Array {
  const peak = Math.max(...Array.from(shape));
  const jitter = gaussianSeries(shape.length, seed);
  return Float64Array.from(shape, (v, t) => 50 + (height * v) / peak + noise * jitter[t]);
}

/** ppmv readings without any leak: the background and Gaussian noise. */
function noiseReadings(seed: number, noise = 3): Float64Array {
  return gaussianSeries(144, seed).map((v) => 50 + noise * v);
}

function zNormalised(series: ArrayLike<number>): number[] {
  const values = Array.from(series);
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const deviation = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  return values.map((v) => (v - mean) / deviation);
}

function estimate(
  readings: ArrayLike<number>,
  parameters: Partial<EstimationParameters> = {},
  neighbours?: ArrayLike<number>[],
) {
  return estimateLeak({ readings, hypotheses: HYPOTHESES, neighbours, parameters });
}

function expectNoNaN(estimation: Estimation<unknown>) {
  for (const score of estimation.hypotheses) {
    for (const value of Object.values(score)) if (typeof value === 'number') expect(Number.isNaN(value)).toBe(false);
  }
}

describe('leak estimation', () => {
  it('confirms the candidate whose simulated shape is in the readings, over a background and noise', () => {
    for (const [k, hypothesis] of HYPOTHESES.entries()) {
      for (let seed = 1; seed <= 10; seed++) {
        const estimation = estimate(readingsWith(hypothesis.series, 100 * k + seed, 2));
        expect(estimation).toMatchObject({ result: 'CONFIRMED', reason: 'ONE_CANDIDATE', confirmed: hypothesis.id });
        expect(estimation.candidates).toEqual([hypothesis.id]);
        const best = estimation.hypotheses[k];
        expect(best.finalZ).toBe(Math.max(...estimation.hypotheses.map((h) => h.finalZ!)));
        expect(best.crossCorrelation).toBeGreaterThan(0.9);
      }
    }
  });

  it('confirms it when the readings show it a few steps later, and reports the lag', () => {
    const shifted = readingsWith(plume(95, 6), 7);
    const estimation = estimate(shifted);
    expect(estimation).toMatchObject({ result: 'CONFIRMED', confirmed: 'LMF3' });
    expect(estimation.hypotheses[2].crossCorrelationLag).toBe(5);
  });

  it('names no candidate for readings of pure noise', () => {
    for (let seed = 1; seed <= 40; seed++) {
      expect(estimate(noiseReadings(seed))).toMatchObject({
        result: 'UNDEFINED',
        reason: 'NO_CANDIDATE',
        candidates: [],
      });
    }
  });

  it("names one for some noise under the reference's rule (no correlation floor): the z-scores only rank", () => {
    const confirmed = Array.from({ length: 40 }, (_, seed) =>
      estimate(noiseReadings(seed + 1), { minCrossCorrelation: -1 }),
    ).filter((e) => e.result === 'CONFIRMED');
    expect(confirmed.length).toBeGreaterThan(5);
    for (const e of confirmed)
      expect(e.hypotheses.find((h) => h.id === e.candidates[0])!.crossCorrelation).toBeLessThan(0.5);
  });

  describe('when no single candidate stands out', () => {
    // The reference's seed has LMF1–LMF4 at the same place: identical series can never be told apart
    // (four tied values score z = 0.5 each), however well they fit.
    const tied = [0, 1, 2, 3].map((k) => ({ id: `LMF${k + 1}`, series: plume(60, 12) }));
    const hypotheses = [...tied, { id: 'LPFL', series: plume(120, 10) }];
    const templateWide = (seed: number, offset: number, height: number) =>
      readingsWith(plume(60, 12), seed, 1, height).map((v) => v + offset);

    it('is EXTERNAL_CAUSE when the template’s other sensors move with the anomalous one', () => {
      const estimation = estimateLeak({
        readings: templateWide(1, 0, 20),
        hypotheses,
        neighbours: [templateWide(2, -20, 15), templateWide(3, 30, 25), templateWide(4, 5, 18)],
      });
      expect(estimation).toMatchObject({
        result: 'EXTERNAL_CAUSE',
        reason: 'NEIGHBOURS_MOVE_TOGETHER',
        candidates: [],
      });
      expect(estimation.neighbourCorrelation).toBeGreaterThan(0.9);
      for (const score of estimation.hypotheses.slice(0, 4)) expect(score.finalZ).toBeCloseTo(0.5, 9);
    });

    it('is UNDEFINED without neighbours, or when they do not move together', () => {
      const alone = estimateLeak({ readings: templateWide(1, 0, 20), hypotheses });
      expect(alone).toMatchObject({ result: 'UNDEFINED', reason: 'NO_CANDIDATE', neighbourCorrelation: null });
      const quiet = estimateLeak({
        readings: templateWide(1, 0, 20),
        hypotheses,
        neighbours: [gaussianSeries(144, 8).map((v) => 40 + v), randomWalk(144, 9, 60)],
      });
      expect(quiet).toMatchObject({ result: 'UNDEFINED', reason: 'NO_CANDIDATE' });
      expect(quiet.neighbourCorrelation).toBeLessThan(0.9);
    });

    it('confirms a single candidate even when the neighbours move too (the reference’s order)', () => {
      const estimation = estimate(readingsWith(plume(30, 8), 5), {}, [readingsWith(plume(30, 8), 6)]);
      expect(estimation).toMatchObject({ result: 'CONFIRMED', confirmed: 'LMF1' });
      expect(estimation.neighbourCorrelation).toBeGreaterThan(0.9);
    });

    it('is UNDEFINED with several candidates (two copies among ten hypotheses)', () => {
      const many = [
        { id: 'A', series: plume(50, 8) },
        { id: 'B', series: plume(50, 8) },
        ...[10, 25, 75, 90, 105, 120, 135, 140].map((centre) => ({ id: `far${centre}`, series: plume(centre, 5) })),
      ];
      const estimation = estimateLeak({ readings: readingsWith(plume(50, 8), 3), hypotheses: many });
      expect(estimation).toMatchObject({ result: 'UNDEFINED', reason: 'SEVERAL_CANDIDATES', candidates: ['A', 'B'] });
    });
  });

  describe('degenerate inputs', () => {
    it('all hypotheses equal: no z-score, no candidate, no NaN', () => {
      const same = [1, 2, 3].map((k) => ({ id: k, series: plume(60, 10) }));
      const estimation = estimateLeak({ readings: readingsWith(plume(60, 10), 1), hypotheses: same });
      expect(estimation).toMatchObject({ result: 'UNDEFINED', reason: 'NO_CANDIDATE' });
      for (const score of estimation.hypotheses) {
        expect([score.crossCorrelationZ, score.dtwZ, score.finalZ]).toEqual([null, null, null]);
      }
      expectNoNaN(estimation);
      const single = estimateLeak({ readings: readingsWith(plume(60, 10), 1), hypotheses: [same[0]] });
      expect(single).toMatchObject({ result: 'UNDEFINED', reason: 'NO_CANDIDATE' });
    });

    it('flat readings explain nothing', () => {
      const estimation = estimate(new Float64Array(144).fill(42));
      expect(estimation).toMatchObject({ result: 'UNDEFINED', reason: 'FLAT_READINGS', candidates: [] });
      expectNoNaN(estimation);
    });

    it('a flat hypothesis (the leak never reaches the sensor) is no candidate even when it scores best', () => {
      // The readings dip where every shaped hypothesis peaks: the all-zero one fits "best".
      const dip = readingsWith(plume(70, 10), 4).map((v) => 100 - v);
      const hypotheses = [
        ...[6, 9, 12, 15].map((width) => ({ id: `w${width}`, series: plume(70, width) })),
        { id: 'never', series: new Float64Array(144) },
      ];
      const estimation = estimateLeak({ readings: dip, hypotheses, parameters: { minCrossCorrelation: -1 } });
      const never = estimation.hypotheses[4];
      expect(never.flat).toBe(true);
      expect(never.finalZ).toBeGreaterThan(DEFAULT_ESTIMATION_PARAMETERS.threshold);
      expect(estimation).toMatchObject({ result: 'UNDEFINED', reason: 'NO_CANDIDATE', candidates: [] });
    });

    it('compares the newest readings only, and copes with fewer readings or shorter hypotheses', () => {
      const planted = readingsWith(plume(90, 6), 11);
      const longer = Float64Array.from([...gaussianSeries(60, 12).map((v) => 1000 * v), ...planted]);
      const fromLonger = estimate(longer);
      expect(fromLonger.referenceLength).toBe(144);
      expect(fromLonger.hypotheses).toEqual(estimate(planted).hypotheses);
      expect(estimate(planted.slice(40))).toMatchObject({ result: 'CONFIRMED', confirmed: 'LMF3' });
      const shorter = HYPOTHESES.map((h) => ({ id: h.id, series: h.series.slice(10) }));
      expect(estimateLeak({ readings: planted, hypotheses: shorter })).toMatchObject({ confirmed: 'LMF3' });
      expect(estimate(planted, { referenceLength: 100 }).referenceLength).toBe(100);
    });

    it('refuses empty or non-finite series and parameters out of range, naming them', () => {
      const readings = readingsWith(plume(60, 10), 1);
      expect(() => estimateLeak({ readings, hypotheses: [] })).toThrow(InvalidInputError);
      expect(() => estimateLeak({ readings: [], hypotheses: HYPOTHESES })).toThrow(InvalidInputError);
      expect(() => estimate([1, Number.NaN, 3])).toThrow(InvalidInputError);
      expect(() => estimate(readings, {}, [[]])).toThrow(InvalidInputError);
      for (const wrong of [
        { threshold: Number.NaN },
        { maxLag: -1 },
        { neighbourMaxLag: 1.5 },
        { lagPenalty: -1 },
        { dtwBand: -2 },
        { referenceLength: 0 },
        { scaling: 'log' as never },
      ]) {
        expect(() => resolveEstimationParameters(wrong)).toThrow(
          expect.objectContaining({ details: { fields: { [Object.keys(wrong)[0]]: expect.any(String) } } }),
        );
      }
    });
  });

  describe('metrics', () => {
    it('are the cross-correlation and the DTW of the z-normalised series, z-scored and weighted', () => {
      const readings = readingsWith(plume(60, 12), 21, 4);
      const estimation = estimate(readings);
      const reference = zNormalised(readings);
      for (const [k, score] of estimation.hypotheses.entries()) {
        const hypothesis = zNormalised(HYPOTHESES[k].series);
        const correlation = maxLaggedCorrelation(reference, hypothesis, { maxLag: 12, lagPenalty: 0.0001 });
        expect(score.crossCorrelation).toBeCloseTo(correlation.value, 12);
        expect(score.crossCorrelationLag).toBe(correlation.lag);
        const warping = dynamicTimeWarping(reference, hypothesis, { band: 12 });
        expect(score.dtwPathLength).toBe(warping.pathLength);
        expect(score.dtwDistance).toBeCloseTo(warping.distance / warping.pathLength, 12);
        expect(score.dtwSimilarity).toBeCloseTo(1 / score.dtwDistance, 9);
        expect(score.weightedScore).toBeCloseTo(0.01 * score.crossCorrelationZ! + 0.99 * score.dtwZ!, 12);
      }
      const finals = estimation.hypotheses.map((h) => h.finalZ!);
      expect(finals.reduce((s, v) => s + v, 0)).toBeCloseTo(0, 12);
      expect(finals.reduce((s, v) => s + v * v, 0) / finals.length).toBeCloseTo(1, 12);
      expect(estimation.parameters).toEqual(DEFAULT_ESTIMATION_PARAMETERS);
    });

    it('raw scaling (the original) confirms a hypothesis equal to the readings up to noise', () => {
      for (const [k, hypothesis] of HYPOTHESES.entries()) {
        const jitter = gaussianSeries(144, k + 1);
        const readings = hypothesis.series.map((v, t) => v + 1e-8 * jitter[t]);
        expect(estimate(readings, { scaling: 'raw' })).toMatchObject({ result: 'CONFIRMED', confirmed: hypothesis.id });
      }
    });

    it('z-scores with the population deviation: one outlier among five scores 2; equal values none', () => {
      expect(zScores([5, 0, 0, 0, 0])).toEqual([2, -0.5, -0.5, -0.5, -0.5]);
      expect(zScores([1, 2, 3])).toEqual([-Math.sqrt(1.5), 0, Math.sqrt(1.5)]);
      expect(zScores([7, 7, 7])).toEqual([null, null, null]);
      expect(zScores([0.1 + 0.2, 0.3, 0.3])).toEqual([null, null, null]);
    });

    it('take a millisecond or so for 5 hypotheses of 144 points, banded or not', () => {
      const readings = readingsWith(plume(90, 6), 2);
      for (const dtwBand of [12, null]) {
        estimate(readings, { dtwBand });
        const started = performance.now();
        for (let run = 0; run < 20; run++) estimate(readings, { dtwBand });
        // Generous for a shared machine: it measures 1–2 ms per estimation.
        expect((performance.now() - started) / 20).toBeLessThan(25);
      }
    });
  });

  describe("with the reference's five seeded leaks simulated over a tidal current", () => {
    // A semidiurnal tidal ellipse in 10-minute rows; LMF1–LMF4 share one position, LPFL has its own.
    const currents = Array.from({ length: 145 }, (_, k) => {
      const phase = (2 * Math.PI * k) / 74.5;
      return { u: 0.12 * Math.cos(phase), v: 0.05 * Math.sin(phase) + 0.02 };
    });
    const lmf = { x: -4.84, y: 2.47, z: 3.7, rate: 4.8491e-4 };
    const ids = ['LMF1', 'LMF2', 'LMF3', 'LMF4', 'LPFL'];
    const simulation = simulateLeaks({
      template: { angleFromNorth: 0.2 },
      sensor: { x: 6, y: 4, z: 4.5 },
      leaks: [lmf, lmf, lmf, lmf, { x: -1.311, y: 5.023, z: 3.2, rate: 4.8491e-4 }],
      currents,
    });
    if (!simulation.supported) throw new Error(simulation.message);
    const hypotheses = simulation.leaks.map((leak, k) => ({ id: ids[k], series: leak.response }));

    it('confirms LPFL when its response is in the readings', () => {
      const readings = readingsWith(hypotheses[4].series, 1, 1, 30);
      expect(estimateLeak({ readings, hypotheses })).toMatchObject({ result: 'CONFIRMED', confirmed: 'LPFL' });
    });

    it('can never confirm one of LMF1–LMF4, however well it fits: they are the same hypothesis', () => {
      const estimation = estimateLeak({ readings: readingsWith(hypotheses[0].series, 1, 1, 30), hypotheses });
      expect(estimation).toMatchObject({ result: 'UNDEFINED', reason: 'NO_CANDIDATE' });
      expect(estimation.hypotheses[0].crossCorrelation).toBeGreaterThan(0.95);
    });
  });
});
