import {
  BaselineCleaningError,
  cleanReadings,
  summariseCleaning,
  type CleaningOptions,
  type CleaningSummary,
} from './baseline-cleaning.js';
import { progressSpan, type ProgressListener } from '../../shared/jobs/job-progress.js';
import { AnomalyScorer, anomalySettings, PreparedBaseline, type AnomalySettings } from './anomaly-scoring.js';
import type { SeriesStatistics } from './series-statistics.js';

/**
 * Choosing a sensor's initial baseline among candidates (reference C.3, "best initial baseline
 * selection"): the sensor's readings are cleaned; each candidate scores the cleaned readings as
 * the live scorer would (same window and thresholds), and is out at its first WARNING or
 * CRITICAL; among the rest the one whose mean and variance are nearest the cleaned readings'
 * wins: error = √((mean_c − mean)² + (var_c − var)²), not rounded (the original rounded it to
 * an integer, so near ties went to the first candidate listed; ties still do).
 *
 * Judged readings: after the scorer's warm-up (the first m), and only those whose window lies
 * within one kept stretch: a window across a joint of the cleaned series is a shape the sensor
 * never made. (The original judged every reading from the first, half-baseline windows too.)
 *
 * Cost: the cleaning's O(n²) profile, then per candidate n scored readings (~20–30 µs each for a
 * 4-day candidate); a candidate stops at its first alarm. Progress: cleaning is the first half,
 * the candidates share the second.
 */
export interface BaselineCandidate extends SeriesStatistics {
  name: string;
  /** Readings oldest first; `mean` and `variance` are their stored statistics. */
  values: Float64Array;
  /** Where its stretches begin (a cleaned or augmented baseline); none for a seed. */
  joints?: number[];
}

export interface SelectionOptions {
  /** The sensor's window and thresholds (defaults 144 / 100 / 200). */
  settings?: Partial<AnomalySettings>;
  cleaning?: Omit<CleaningOptions, 'windowSize' | 'onProgress'>;
  /** The name of the sensor's current baseline: if it wins, the outcome is UNCHANGED. */
  current?: string;
  onProgress?: ProgressListener;
}

export type CandidateEvaluation =
  | { name: string; fits: true; error: number }
  /** `position`: the first alarm, counted in the cleaned readings from 0. */
  | { name: string; fits: false; level: 'WARNING' | 'CRITICAL'; position: number };

export type BaselineSelection =
  | { outcome: 'SELECTED'; name: string; error: number; cleaning: CleaningSummary; evaluations: CandidateEvaluation[] }
  | {
      outcome: 'UNCHANGED';
      reason: 'NO_CANDIDATE_FITS' | 'CURRENT_IS_BEST';
      cleaning: CleaningSummary;
      evaluations: CandidateEvaluation[];
    };

export function selectBaseline(
  readings: Float64Array,
  candidates: readonly BaselineCandidate[],
  options: SelectionOptions = {},
): BaselineSelection {
  const settings = anomalySettings(options.settings);
  const m = settings.windowSize;
  const cleaned = cleanReadings(readings, {
    ...options.cleaning,
    windowSize: m,
    onProgress: progressSpan(options.onProgress, 0, 0.5),
  });
  const judged = judgedPositions(cleaned.values.length, cleaned.joints, m);
  if (!judged.includes(1)) {
    throw new BaselineCleaningError(
      'NOTHING_KEPT',
      `No kept stretch is long enough to be scored past the warm-up of ${m} readings`,
    );
  }
  const cleaning = summariseCleaning(readings.length, cleaned);
  const evaluations = candidates.map((candidate, k) => {
    const share = 0.5 / candidates.length;
    const progress = progressSpan(options.onProgress, 0.5 + k * share, 0.5 + (k + 1) * share);
    return evaluate(candidate, cleaned.values, judged, settings, cleaning, progress);
  });
  progressSpan(options.onProgress, 0, 1)(1);
  let best: { name: string; fits: true; error: number } | null = null;
  for (const evaluation of evaluations) {
    if (evaluation.fits && (best === null || evaluation.error < best.error)) best = evaluation;
  }
  if (best === null) return { outcome: 'UNCHANGED', reason: 'NO_CANDIDATE_FITS', cleaning, evaluations };
  if (best.name === options.current) return { outcome: 'UNCHANGED', reason: 'CURRENT_IS_BEST', cleaning, evaluations };
  return { outcome: 'SELECTED', name: best.name, error: best.error, cleaning, evaluations };
}

function evaluate(
  candidate: BaselineCandidate,
  cleaned: Float64Array,
  judged: Uint8Array,
  settings: AnomalySettings,
  statistics: SeriesStatistics,
  progress: ProgressListener,
): CandidateEvaluation {
  const scorer = AnomalyScorer.start(
    PreparedBaseline.prepare(candidate.values, settings.windowSize, candidate.joints),
    settings,
  );
  for (let p = 0; p < cleaned.length; p++) {
    const { level } = scorer.score(cleaned[p]);
    if (judged[p] && (level === 'WARNING' || level === 'CRITICAL')) {
      progress(1);
      return { name: candidate.name, fits: false, level, position: p };
    }
    progress(p / cleaned.length);
  }
  progress(1);
  const error = Math.hypot(statistics.mean - candidate.mean, statistics.variance - candidate.variance);
  return { name: candidate.name, fits: true, error };
}

/** 1 where a reading is past the warm-up and its window lies within one stretch. */
function judgedPositions(length: number, joints: number[], m: number): Uint8Array {
  const judged = new Uint8Array(length);
  let stretchStart = 0;
  let next = 0;
  for (let p = 0; p < length; p++) {
    if (next < joints.length && joints[next] === p) stretchStart = joints[next++];
    judged[p] = p >= m && p - stretchStart >= m - 1 ? 1 : 0;
  }
  return judged;
}
