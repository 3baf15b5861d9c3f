import { describe, expect, it } from '@jest/globals';
import { AnomalyScorer, anomalySettings, PreparedBaseline } from './anomaly-scoring.js';
import {
  INITIAL_BASELINE_NAME,
  SEED_BASELINE_NAMES,
  SEED_BASELINE_STATISTICS,
  seedBaseline,
  seedBaselines,
  seedContinuation,
} from './seed-baselines.js';
import { rescaleToStatistics, seriesStatistics } from './series-statistics.js';

describe('seed baselines', () => {
  it('have the reference’s mean and sample variance, to rounding', () => {
    expect(seedBaselines().map((seed) => seed.name)).toEqual(['low', 'mid', 'high', 'trestakk1ta']);
    for (const seed of seedBaselines()) {
      const { mean, variance } = seriesStatistics(seed.values);
      const target = SEED_BASELINE_STATISTICS[seed.name];
      expect(Math.abs(mean - target.mean)).toBeLessThan(1e-12 * target.mean);
      expect(Math.abs(variance - target.variance)).toBeLessThan(1e-12 * target.variance);
      expect({ mean: seed.mean, variance: seed.variance }).toEqual(target);
    }
    expect(SEED_BASELINE_STATISTICS.high).toEqual({ mean: 37.95, variance: 1808.53 });
    expect(SEED_BASELINE_STATISTICS.trestakk1ta).toEqual({ mean: 26.72, variance: 261.19 });
  });

  it('are four days at 10-minute sampling, positive, and the same every time', () => {
    for (const name of SEED_BASELINE_NAMES) {
      const seed = seedBaseline(name);
      expect(seed.values).toHaveLength(4 * 144);
      expect(Math.min(...seed.values)).toBeGreaterThan(0);
      expect(seedBaseline(name).values).toEqual(seed.values);
    }
    expect(seedBaseline('low').values).not.toEqual(seedBaseline('mid').values);
    expect(INITIAL_BASELINE_NAME).toBe('high');
  });

  it('describe the days that follow them: two more days score OK against each', () => {
    const settings = anomalySettings();
    for (const name of SEED_BASELINE_NAMES) {
      const scorer = AnomalyScorer.start(PreparedBaseline.prepare(seedBaseline(name).values, 144), settings);
      const levels = new Set(Array.from(seedContinuation(name, 2), (x) => scorer.score(x).level));
      expect([name, levels]).toEqual([name, new Set(['UNDEFINED', 'OK'])]);
    }
  });
});

describe('series statistics', () => {
  it('mean and sample variance; rescaling keeps the shape', () => {
    expect(seriesStatistics([1, 2, 3, 4])).toEqual({ mean: 2.5, variance: 5 / 3 });
    const moved = rescaleToStatistics([1, 2, 3, 4], { mean: 10, variance: 20 });
    expect(seriesStatistics(moved).mean).toBeCloseTo(10, 12);
    expect(seriesStatistics(moved).variance).toBeCloseTo(20, 12);
    expect(moved[1] - moved[0]).toBeCloseTo(moved[3] - moved[2], 12);
  });
});
