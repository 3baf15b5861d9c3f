import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import { DEFAULT_WINDOW_SIZE } from './anomaly-scoring.js';
import { cleanReadings, summariseCleaning, type CleaningOptions, type CleaningSummary } from './baseline-cleaning.js';
import { progressSpan, type ProgressListener } from '../../shared/jobs/job-progress.js';
import { seriesStatistics, type SeriesStatistics } from './series-statistics.js';

/**
 * Augmenting a sensor's baseline (reference C.3, "initial baseline augmentation"): its new
 * readings are cleaned and appended, each kept stretch after a joint, and the baseline keeps
 * its newest `maxLength` points (default a week, 7·m), so that old shapes age out and a
 * sensor's scoring cost stays bounded (the original's stumpy object grew forever). Give it the
 * readings since the last augmentation: the original re-added all of them every time.
 */
export interface BaselineSeries {
  values: Float64Array;
  /** Where its stretches begin; none for a seed. */
  joints?: number[];
}

export interface AugmentationOptions {
  /** Window size m; default 144. */
  windowSize?: number;
  /** Points kept, the newest; default 7·m, at least 2m. */
  maxLength?: number;
  cleaning?: Omit<CleaningOptions, 'windowSize' | 'onProgress'>;
  onProgress?: ProgressListener;
}

export const AUGMENTED_LENGTH_IN_WINDOWS = 7;

export interface AugmentedBaseline extends SeriesStatistics {
  values: Float64Array;
  joints: number[];
  /** Cleaned readings appended. */
  added: number;
  /** Oldest points dropped to keep maxLength. */
  dropped: number;
  cleaning: CleaningSummary;
}

export function augmentBaseline(
  baseline: BaselineSeries,
  readings: Float64Array,
  options: AugmentationOptions = {},
): AugmentedBaseline {
  const m = options.windowSize ?? DEFAULT_WINDOW_SIZE;
  const maxLength = options.maxLength ?? AUGMENTED_LENGTH_IN_WINDOWS * m;
  if (!Number.isInteger(maxLength) || maxLength < 2 * m) {
    throw new InvalidInputError('An augmented baseline keeps at least two windows', {
      maxLength: `must be an integer ≥ 2·windowSize (${2 * m})`,
    });
  }
  const cleaned = cleanReadings(readings, {
    ...options.cleaning,
    windowSize: m,
    onProgress: progressSpan(options.onProgress, 0, 0.95),
  });
  const base = baseline.values;
  const combined = new Float64Array(base.length + cleaned.values.length);
  combined.set(base);
  combined.set(cleaned.values, base.length);
  const joints = [...(baseline.joints ?? []), base.length, ...cleaned.joints.map((j) => base.length + j)];
  const dropped = Math.max(combined.length - maxLength, 0);
  const values = combined.slice(dropped);
  progressSpan(options.onProgress, 0, 1)(1);
  return {
    values,
    joints: joints.map((j) => j - dropped).filter((j) => j > 0),
    added: cleaned.values.length,
    dropped,
    cleaning: summariseCleaning(readings.length, cleaned),
    ...seriesStatistics(values),
  };
}
