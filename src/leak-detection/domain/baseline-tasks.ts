import { augmentBaseline, type AugmentationOptions, type BaselineSeries } from './baseline-augmentation.js';
import { selectBaseline, type BaselineCandidate, type SelectionOptions } from './baseline-selection.js';
import type { ProgressListener } from '../../shared/jobs/job-progress.js';

/**
 * The baseline computations as worker-pool tasks (shared/jobs/job-worker.ts calls a task's
 * function with its arguments and then its progress listener): the listener cannot cross the
 * thread boundary inside the options.
 */
export function selectBaselineTask(
  readings: Float64Array,
  candidates: readonly BaselineCandidate[],
  options: Omit<SelectionOptions, 'onProgress'>,
  onProgress?: ProgressListener,
) {
  return selectBaseline(readings, candidates, { ...options, onProgress });
}

export function augmentBaselineTask(
  baseline: BaselineSeries,
  readings: Float64Array,
  options: Omit<AugmentationOptions, 'onProgress'>,
  onProgress?: ProgressListener,
) {
  return augmentBaseline(baseline, readings, { ...options, onProgress });
}
