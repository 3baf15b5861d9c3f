import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { levelOfPercent, type AnomalyLevel } from './anomaly-level.js';
import {
  AnomalyScorer,
  anomalySettings,
  FeedbackModeUnavailableError,
  PreparedBaseline,
  type AnomalyScorerState,
  type ScoredReading,
} from './anomaly-scoring.js';
import { DAY, periodicSeries, testBaseline, withBump } from './leak-series.fixture.js';

const settings = anomalySettings();
const baseline = PreparedBaseline.prepare(testBaseline(), DAY);

/** Days that continue the baseline's sine (its 3 days come first). */
function days(count: number, extra?: (t: number) => number, seed = 2): Float64Array {
  return periodicSeries(count * DAY, { seed, from: 3 * DAY, extra });
}

function scoreAll(sut: AnomalyScorer, readings: ArrayLike<number>): ScoredReading[] {
  return Array.from(readings, (x) => sut.score(x));
}

/** A second hump each afternoon: the "new normal" shape of the feedback tests. */
const afternoonHump = (t: number) => 8 * Math.exp(-((((t % DAY) - 100) / 10) ** 2));

function levelsOfDay(scored: ScoredReading[], day: number): Set<AnomalyLevel> {
  return new Set(scored.slice(day * DAY, (day + 1) * DAY).map((s) => s.level));
}

describe('anomaly levels', () => {
  it('thresholds: below warning OK, from warning WARNING, from critical CRITICAL', () => {
    const thresholds = { warningPercent: 100, criticalPercent: 200 };
    expect([99.999, 100, 199.999, 200, Infinity].map((p) => levelOfPercent(p, thresholds))).toEqual([
      'OK',
      'WARNING',
      'WARNING',
      'CRITICAL',
      'CRITICAL',
    ]);
  });

  it('settings are checked and name the field', () => {
    expect(() => anomalySettings({ warningPercent: 150, criticalPercent: 150 })).toThrow(InvalidInputError);
    try {
      anomalySettings({ windowSize: 2 });
    } catch (error) {
      expect((error as InvalidInputError).details).toEqual({ fields: { windowSize: 'must be an integer ≥ 3' } });
    }
    expect(anomalySettings({ windowSize: 48 })).toEqual({
      windowSize: 48,
      warningPercent: 100,
      criticalPercent: 200,
      feedbackSaveLimit: 1000,
      maxFeedbackLength: 7 * 48,
    });
  });
});

describe('PreparedBaseline', () => {
  it('knows its largest nearest-neighbour distance, and refuses what cannot give one', () => {
    expect(baseline.maxDistance).toBeGreaterThan(0);
    expect(() => PreparedBaseline.prepare(testBaseline().subarray(0, DAY + 36), DAY)).toThrow(InvalidInputError);
    const holed = testBaseline();
    holed[10] = NaN;
    expect(() => PreparedBaseline.prepare(holed, DAY)).toThrow(InvalidInputError);
    expect(() => PreparedBaseline.prepare(new Float64Array(400).fill(5), DAY)).toThrow(InvalidInputError);
    expect(() => AnomalyScorer.start(baseline, anomalySettings({ windowSize: 72 }))).toThrow(InvalidInputError);
  });
});

describe('AnomalyScorer', () => {
  it('is UNDEFINED for exactly the first windowSize readings, then scores', () => {
    const scored = scoreAll(AnomalyScorer.start(baseline, settings), days(2));
    expect(scored.slice(0, DAY).every((s) => s.level === 'UNDEFINED' && s.percent === null)).toBe(true);
    expect(scored[DAY].level).toBe('OK');
    expect(scored[DAY].percent).toBeGreaterThan(0);
    expect(scored.map((s) => s.sequence)).toEqual(Array.from({ length: 2 * DAY }, (_, k) => k + 1));
    expect(scored.filter((s) => s.event).map((s) => [s.sequence, s.event])).toEqual([
      [1, { level: 'UNDEFINED', previous: null }],
      [DAY + 1, { level: 'OK', previous: 'UNDEFINED' }],
    ]);
  });

  it('a planted bump goes WARNING then CRITICAL and back to OK, with an event on each change only', () => {
    const readings = withBump(days(7), 700, 36, 10);
    const scored = scoreAll(AnomalyScorer.start(baseline, settings), readings);
    const events = scored.filter((s) => s.event).map((s) => s.event!.level);
    expect(events).toEqual(['UNDEFINED', 'OK', 'WARNING', 'CRITICAL', 'WARNING', 'OK']);
    scored.forEach((s, k) => {
      const changed = k === 0 || scored[k - 1].level !== s.level;
      expect(s.event === null).toBe(!changed);
    });
    const firstAlarm = scored.findIndex((s) => s.level !== 'OK' && s.level !== 'UNDEFINED');
    const lastAlarm = scored.findLastIndex((s) => s.level !== 'OK');
    // The alarm starts once the bump is in the newest window and ends once it has left it.
    expect(firstAlarm).toBeGreaterThanOrEqual(700);
    expect(firstAlarm).toBeLessThan(710);
    expect(lastAlarm).toBeLessThan(700 + 36 + DAY);
    expect(Math.max(...scored.slice(DAY, 690).map((s) => s.percent!))).toBeLessThan(80);
  });

  it('thresholds are per sensor', () => {
    const readings = days(2);
    const strict = scoreAll(
      AnomalyScorer.start(baseline, anomalySettings({ warningPercent: 10, criticalPercent: 20 })),
      readings,
    );
    const usual = scoreAll(AnomalyScorer.start(baseline, settings), readings);
    expect(new Set(strict.slice(DAY).map((s) => s.level))).toEqual(new Set(['CRITICAL']));
    expect(new Set(usual.slice(DAY).map((s) => s.level))).toEqual(new Set(['OK']));
    expect(strict.map((s) => s.percent)).toEqual(usual.map((s) => s.percent));
  });

  it('refuses a reading that is not a finite number', () => {
    expect(() => AnomalyScorer.start(baseline, settings).score(NaN)).toThrow(InvalidInputError);
  });
});

describe('AnomalyScorer restarts', () => {
  // A short day (24 points) keeps the many replays fast; the policy does not depend on the size.
  const P = 24;
  const shortSettings = anomalySettings({ windowSize: P });
  const shortBaseline = PreparedBaseline.prepare(testBaseline(1, P), P);
  const hump = (t: number) => 8 * Math.exp(-((((t % P) - 16) / 2) ** 2));
  const readings = withBump(periodicSeries(10 * P, { seed: 2, period: P, from: 3 * P, extra: hump }), 8 * P, 6, 12);
  const feedbackOn = 4 * P + 5;
  const feedbackOff = 6 * P + 3;

  /** Scores readings[from…], turning feedback mode on and off at its places. */
  function run(sut: AnomalyScorer, from = 0) {
    const scored: ScoredReading[] = [];
    for (let k = from; k < readings.length; k++) {
      if (k === feedbackOn) sut.startFeedback();
      if (k === feedbackOff) expect(sut.stopFeedback().learned).toBe(true);
      scored.push(sut.score(readings[k]));
    }
    return scored;
  }

  const uninterrupted = run(AnomalyScorer.start(shortBaseline, shortSettings));
  const plain = scoreAll(AnomalyScorer.start(shortBaseline, shortSettings), readings);

  it('the uninterrupted run learns, and reaches every level', () => {
    expect(new Set(uninterrupted.map((s) => s.level))).toEqual(new Set(['UNDEFINED', 'OK', 'WARNING', 'CRITICAL']));
    expect(uninterrupted.some((s) => s.feedbackMode)).toBe(true);
    expect(uninterrupted).not.toEqual(plain);
  });

  const restartPoints = [1, 10, P, P + 1, 2 * P, 2 * P + 1, 3 * P, feedbackOn, feedbackOn + 20, feedbackOff, 8 * P + 3];

  it.each(restartPoints)(
    'restarted from its saved state (JSON) after %p readings: the same levels as without',
    (at) => {
      const sut = AnomalyScorer.start(shortBaseline, shortSettings);
      for (let k = 0; k < at; k++) {
        if (k === feedbackOn) sut.startFeedback();
        if (k === feedbackOff) sut.stopFeedback();
        sut.score(readings[k]);
      }
      const saved = JSON.parse(JSON.stringify(sut.state())) as AnomalyScorerState;
      expect(saved.latest.length).toBeLessThanOrEqual(shortSettings.maxFeedbackLength);
      expect(run(AnomalyScorer.fromState(shortBaseline, saved), at)).toEqual(uninterrupted.slice(at));
    },
  );

  it.each([1, 10, P, 2 * P, 2 * P + 1, 5 * P + 7, 8 * P + 2])(
    'rebuilt from stored rows after %p readings (sequence, level, newest readings): the same levels',
    (at) => {
      const needed = AnomalyScorer.readingsNeeded(shortSettings, at, null);
      const state: AnomalyScorerState = {
        settings: shortSettings,
        sequence: plain[at - 1].sequence,
        latest: Array.from(readings.subarray(at - needed, at)),
        lastLevel: plain[at - 1].level,
        feedbackHistory: [],
        feedbackStartedAt: null,
      };
      const rebuilt = AnomalyScorer.fromState(shortBaseline, state);
      expect(scoreAll(rebuilt, readings.subarray(at))).toEqual(plain.slice(at));
    },
  );

  it('refuses an inconsistent state, naming what is wrong', () => {
    const state = AnomalyScorer.start(shortBaseline, shortSettings).state();
    const bad = [
      { ...state, sequence: 10, lastLevel: 'OK' as const },
      { ...state, sequence: -1 },
      { ...state, lastLevel: 'OK' as const },
      { ...state, sequence: 100, lastLevel: 'OK' as const, latest: new Array(100).fill(30), feedbackStartedAt: 20 },
      { ...state, sequence: 100, lastLevel: 'OK' as const, latest: new Array(10).fill(30) },
    ];
    for (const s of bad) expect(() => AnomalyScorer.fromState(shortBaseline, s)).toThrow(InvalidInputError);
  });

  it('a new baseline keeps the sequence: no second warm-up', () => {
    const sut = AnomalyScorer.start(baseline, settings);
    scoreAll(sut, days(2));
    const other = PreparedBaseline.prepare(testBaseline(7), DAY);
    const moved = sut.withBaseline(other);
    expect(moved.sequence).toBe(2 * DAY);
    expect(moved.maxDistance).toBe(other.maxDistance);
    expect(moved.score(30).level).not.toBe('UNDEFINED');
  });
});

describe('AnomalyScorer feedback mode', () => {
  it('is refused until windowSize readings exist', () => {
    const sut = AnomalyScorer.start(baseline, settings);
    scoreAll(sut, days(1).subarray(0, DAY - 1));
    expect(() => sut.startFeedback()).toThrow(FeedbackModeUnavailableError);
    try {
      sut.startFeedback();
    } catch (error) {
      expect((error as FeedbackModeUnavailableError).code).toBe('CONFLICT');
      expect((error as FeedbackModeUnavailableError).details).toEqual({ readings: DAY - 1, required: DAY });
    }
    sut.score(30);
    sut.startFeedback();
    expect(sut.feedbackMode).toBe(true);
  });

  it('learns: a new daily shape that scored WARNING scores OK after an operator marked it normal', () => {
    // Days 0–2 plain, the afternoon hump from day 3 on; feedback over days 5 and 6.
    const readings = periodicSeries(10 * DAY, {
      seed: 2,
      from: 3 * DAY,
      extra: (t) => (t >= 6 * DAY ? afternoonHump(t) : 0),
    });
    const taught = AnomalyScorer.start(baseline, settings);
    const scored: ScoredReading[] = [];
    let outcome;
    readings.forEach((x, k) => {
      if (k === 5 * DAY) taught.startFeedback();
      if (k === 7 * DAY) outcome = taught.stopFeedback();
      scored.push(taught.score(x));
    });
    const control = scoreAll(AnomalyScorer.start(baseline, settings), readings);
    expect(outcome).toEqual({
      learned: true,
      readings: 2 * DAY,
      maxDistance: taught.maxDistance,
      previousMaxDistance: baseline.maxDistance,
    });
    expect(levelsOfDay(scored, 2)).toEqual(new Set(['OK']));
    expect(levelsOfDay(scored, 3).has('WARNING')).toBe(true);
    expect(scored.slice(5 * DAY, 7 * DAY).every((s) => s.feedbackMode)).toBe(true);
    for (let day = 7; day < 10; day++) {
      expect(levelsOfDay(scored, day)).toEqual(new Set(['OK']));
      expect(levelsOfDay(control, day).has('WARNING')).toBe(true);
    }
    expect(scored.slice(7 * DAY).some((s) => s.feedbackMode)).toBe(false);
  });

  it('does not learn a stretch holding a reading at or above the save limit', () => {
    const readings = periodicSeries(9 * DAY, {
      seed: 2,
      from: 3 * DAY,
      extra: (t) => (t >= 6 * DAY ? afternoonHump(t) : 0),
    });
    readings[6 * DAY] = 1000;
    const sut = AnomalyScorer.start(baseline, settings);
    let outcome;
    const scored = Array.from(readings, (x, k) => {
      if (k === 5 * DAY) sut.startFeedback();
      if (k === 7 * DAY) outcome = sut.stopFeedback();
      return sut.score(x);
    });
    expect(outcome).toEqual({ learned: false, reason: 'LIMIT_EXCEEDED', readings: 2 * DAY, peak: 1000 });
    expect(sut.maxDistance).toBe(baseline.maxDistance);
    expect(sut.state().feedbackHistory).toEqual([]);
    expect(levelsOfDay(scored, 8).has('WARNING')).toBe(true);
  });

  it('turned off before any reading arrived, it learns nothing', () => {
    const sut = AnomalyScorer.start(baseline, settings);
    scoreAll(sut, days(2));
    sut.startFeedback();
    expect(sut.stopFeedback()).toEqual({ learned: false, reason: 'NOTHING_COLLECTED', readings: 0 });
    expect(sut.feedbackMode).toBe(false);
  });
});
