import { ConflictError, InvalidInputError } from '../../shared/errors/domain-errors.js';
import { DEFAULT_WINDOW_SIZE } from './anomaly-scoring.js';
import { progressSpan, type ProgressListener } from '../../shared/jobs/job-progress.js';
import { matrixProfile } from './matrix-profile.js';
import { seriesStatistics, type SeriesStatistics } from './series-statistics.js';

/**
 * Cleaning a sensor's readings before they serve as a baseline (reference C.3,
 * `clean_concentrations`): the stretches around the readings' worst discords are cut out.
 *
 * 1. Fewer than m readings: failure.
 * 2. The full non-normalised matrix profile (m, exclusion zone ⌈m/4⌉).
 * 3. The top k discords: the largest distance, then the profile is blanked ±zone around it
 *    (zone ⌈m/2⌉ = 72 for m = 144, the original's `window_size // 2`), k times.
 * 4. The acceptable distance: the largest discord distance left after dropping those ≥ cut and
 *    the outliers, |d − median| / MAD ≥ 5 (a MAD of 0 counts as 1, as in the original).
 *    Nothing left: failure.
 * 5. From the largest discord down, while its distance exceeds the acceptable one, the span
 *    [i − m, i + 2m) around its window i goes.
 * 6. What remains, in time order (the original reversed it: it read the readings newest
 *    first), is the cleaned series, with the joints where removed spans were.
 *
 * Readings come oldest first, all finite (stored readings are). The work is the O(n²) profile
 * (about 4 s for 50,000 readings on one core here); the rest is O(n). Progress: the profile is
 * one call, so the listener hears 0, then 0.95 once it is done, then 1.
 */
export interface CleaningOptions {
  /** Window size m; default 144. */
  windowSize?: number;
  /** Discords looked at (k); default 15. */
  discords?: number;
  /** Half-width blanked around a discord; default ⌈m/2⌉. */
  discordZone?: number;
  /** Discord distances at or above this do not set the acceptable distance; default 2000. */
  cut?: number;
  /** Discord distances this many MADs from their median do not either; default 5. */
  madLimit?: number;
  onProgress?: ProgressListener;
}

export interface Discord {
  /** The window's first reading, in the input. */
  index: number;
  distance: number;
}

/** [start, end) positions in the input. */
export interface Span {
  start: number;
  end: number;
}

export interface CleanedReadings {
  /** The kept readings, oldest first. */
  values: Float64Array;
  /** Positions in `values` where a kept stretch begins after a removed one (see PreparedBaseline). */
  joints: number[];
  /** The kept stretches of the input, in time order. */
  kept: Span[];
  /** The removed spans of the input, in time order (overlapping ones merged). */
  removed: Span[];
  /** The discords found, largest first. */
  discords: Discord[];
  acceptableDistance: number;
}

export type CleaningFailureReason = 'TOO_FEW_READINGS' | 'NO_ACCEPTABLE_DISTANCE' | 'NOTHING_KEPT';

/** Cleaning cannot go on with these readings (a job fails with it, saying why). */
export class BaselineCleaningError extends ConflictError {
  constructor(
    readonly reason: CleaningFailureReason,
    message: string,
  ) {
    super(message, { reason });
  }
}

export const DEFAULT_DISCORDS = 15;
export const DEFAULT_CUT = 2000;
export const DEFAULT_MAD_LIMIT = 5;

export function cleanReadings(readings: Float64Array, options: CleaningOptions = {}): CleanedReadings {
  const m = options.windowSize ?? DEFAULT_WINDOW_SIZE;
  if (readings.length < m) {
    throw new BaselineCleaningError(
      'TOO_FEW_READINGS',
      `Cleaning needs at least ${m} readings (a window); there are ${readings.length}`,
    );
  }
  if (!readings.every(Number.isFinite)) {
    throw new InvalidInputError('Cleaning takes finite readings only', { readings: 'holds a non-finite value' });
  }
  const progress = progressSpan(options.onProgress, 0, 1);
  progress(0);
  const { distances } = matrixProfile(readings, m, { normalized: false, onProgress: (f) => progress(f * 0.95) });
  progress(0.95);
  const discords = topDiscords(
    distances,
    options.discords ?? DEFAULT_DISCORDS,
    options.discordZone ?? Math.ceil(m / 2),
  );
  const acceptableDistance = acceptableDiscordDistance(
    discords.map((d) => d.distance),
    options.cut ?? DEFAULT_CUT,
    options.madLimit ?? DEFAULT_MAD_LIMIT,
  );
  const spans: Span[] = [];
  for (const { index, distance } of discords) {
    if (!(distance > acceptableDistance)) break;
    spans.push({ start: Math.max(index - m, 0), end: Math.min(index + 2 * m, readings.length) });
  }
  const removed = mergeSpans(spans);
  const cleaned = keepOutside(readings, removed);
  if (!cleaned.kept.some((span) => span.end - span.start >= m)) {
    throw new BaselineCleaningError(
      'NOTHING_KEPT',
      `No stretch of ${m} readings is left once the discords are removed`,
    );
  }
  progress(1);
  return { ...cleaned, removed, discords, acceptableDistance };
}

/** The k largest distances, each blanking ±zone around itself first (stumpy's apply_exclusion_zone). */
export function topDiscords(distances: Float64Array, k: number, zone: number): Discord[] {
  const profile = distances.slice();
  const out: Discord[] = [];
  for (let found = 0; found < k; found++) {
    let index = -1;
    for (let w = 0; w < profile.length; w++) if (profile[w] > (index < 0 ? -Infinity : profile[index])) index = w;
    if (index < 0) break;
    out.push({ index, distance: profile[index] });
    profile.fill(-Infinity, Math.max(index - zone, 0), Math.min(index + zone + 1, profile.length));
  }
  return out;
}

/** The largest distance below `cut` that is not an outlier (|d − median| / MAD < limit). */
export function acceptableDiscordDistance(distances: number[], cut: number, limit: number): number {
  const below = distances.filter((d) => d < cut);
  const center = median(below);
  const deviations = below.map((d) => Math.abs(d - center));
  const mad = median(deviations) || 1;
  const accepted = below.filter((_, k) => deviations[k] / mad < limit);
  if (accepted.length === 0) {
    throw new BaselineCleaningError(
      'NO_ACCEPTABLE_DISTANCE',
      `No discord is below the cut (${cut}) and within ${limit} MADs of their median: the readings give no acceptable distance`,
    );
  }
  return Math.max(...accepted);
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = values.slice().sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function mergeSpans(spans: Span[]): Span[] {
  const merged: Span[] = [];
  for (const span of spans.slice().sort((a, b) => a.start - b.start)) {
    const last = merged.at(-1);
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}

function keepOutside(
  readings: Float64Array,
  removed: Span[],
): { values: Float64Array; joints: number[]; kept: Span[] } {
  const kept: Span[] = [];
  let from = 0;
  for (const span of [...removed, { start: readings.length, end: readings.length }]) {
    if (span.start > from) kept.push({ start: from, end: span.start });
    from = span.end;
  }
  const values = new Float64Array(kept.reduce((sum, span) => sum + span.end - span.start, 0));
  const joints: number[] = [];
  let at = 0;
  for (const span of kept) {
    if (at > 0) joints.push(at);
    values.set(readings.subarray(span.start, span.end), at);
    at += span.end - span.start;
  }
  return { values, joints, kept };
}

/** What a job reports about a cleaning (the cleaned values themselves stay with the job). */
export interface CleaningSummary extends SeriesStatistics {
  readings: number;
  kept: number;
  removed: Span[];
  acceptableDistance: number;
}

export function summariseCleaning(readings: number, cleaned: CleanedReadings): CleaningSummary {
  const { mean, variance } = seriesStatistics(cleaned.values);
  const { removed, acceptableDistance } = cleaned;
  return { readings, kept: cleaned.values.length, removed, acceptableDistance, mean, variance };
}
