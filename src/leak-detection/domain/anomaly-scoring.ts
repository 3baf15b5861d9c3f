import { ConflictError, InvalidInputError } from '../../shared/errors/domain-errors.js';
import {
  ANOMALY_LEVELS,
  checkAnomalyThresholds,
  DEFAULT_ANOMALY_THRESHOLDS,
  levelOfPercent,
  type AnomalyLevel,
  type AnomalyThresholds,
} from './anomaly-level.js';
import { IncrementalMatrixProfile, type IncrementalMatrixProfileState } from './incremental-matrix-profile.js';
import { defaultExclusionZone } from './matrix-profile.js';
import { sensorEventOnChange, type SensorEvent } from './sensor-events.js';

/** A sensor's scoring settings (reference C.3 defaults: 144 points, 100 %, 200 %, 1000 ppmv). */
export interface AnomalySettings extends AnomalyThresholds {
  /** Points per window (144 = one day at 10-minute sampling). */
  windowSize: number;
  /** A feedback stretch holding a reading at or above this (ppmv) is not learned. */
  feedbackSaveLimit: number;
  /** At most this many learned readings are kept (the newest), and a stretch is cut to it. */
  maxFeedbackLength: number;
}

export const DEFAULT_WINDOW_SIZE = 144;
export const DEFAULT_FEEDBACK_SAVE_LIMIT = 1000;
/** Learned readings kept by default: a week of windows. */
export const FEEDBACK_LENGTH_IN_WINDOWS = 7;

/** Settings with defaults filled in, checked (InvalidInputError naming the field). */
export function anomalySettings(given: Partial<AnomalySettings> = {}): AnomalySettings {
  const windowSize = given.windowSize ?? DEFAULT_WINDOW_SIZE;
  const settings: AnomalySettings = {
    windowSize,
    warningPercent: given.warningPercent ?? DEFAULT_ANOMALY_THRESHOLDS.warningPercent,
    criticalPercent: given.criticalPercent ?? DEFAULT_ANOMALY_THRESHOLDS.criticalPercent,
    feedbackSaveLimit: given.feedbackSaveLimit ?? DEFAULT_FEEDBACK_SAVE_LIMIT,
    maxFeedbackLength: given.maxFeedbackLength ?? FEEDBACK_LENGTH_IN_WINDOWS * windowSize,
  };
  if (!Number.isInteger(windowSize) || windowSize < 3) {
    throw new InvalidInputError('The window size must be an integer of at least 3', {
      windowSize: 'must be an integer ≥ 3',
    });
  }
  checkAnomalyThresholds(settings);
  if (!(settings.feedbackSaveLimit > 0)) {
    throw new InvalidInputError('The feedback save limit must be positive', { feedbackSaveLimit: 'must be > 0' });
  }
  if (!Number.isInteger(settings.maxFeedbackLength) || settings.maxFeedbackLength < windowSize) {
    throw new InvalidInputError('The feedback length must hold at least one window', {
      maxFeedbackLength: `must be an integer ≥ windowSize (${windowSize})`,
    });
  }
  return settings;
}

/**
 * A baseline made ready for scoring: its non-normalised incremental matrix profile (room left
 * for 2m readings, see AnomalyScorer) and its largest nearest-neighbour distance, the 100 %
 * reference, computed once. Immutable: sensors on the same baseline and window size share one.
 * Preparing costs O(n²) for n points (a few ms for a week at m = 144).
 *
 * A baseline may be stretches laid end to end (what cleaning kept, learned feedback): `joints`
 * are the positions where a stretch begins. A window across a joint is a shape no sensor made,
 * often far from everything, so it does not set the 100 % distance. (The original let such
 * windows set it, and learning a stretch then raised the scale threefold in a test.) It stays
 * in the profile as a neighbour: that can only make a distance smaller.
 */
export class PreparedBaseline {
  private constructor(
    readonly values: Float64Array,
    readonly joints: readonly number[],
    readonly windowSize: number,
    readonly maxDistance: number,
    private readonly initial: IncrementalMatrixProfileState,
  ) {}

  static prepare(values: ArrayLike<number>, windowSize: number, joints: readonly number[] = []): PreparedBaseline {
    const minimum = windowSize + defaultExclusionZone(windowSize) + 1;
    if (values.length < minimum) {
      throw new InvalidInputError(`A baseline needs at least ${minimum} points for a window of ${windowSize}`, {
        baseline: `must hold at least ${minimum} points (it has ${values.length})`,
      });
    }
    if (!Array.prototype.every.call(values, Number.isFinite)) {
      throw new InvalidInputError('A baseline holds only finite values', { baseline: 'holds a non-finite value' });
    }
    if (!joints.every((j, k) => Number.isInteger(j) && j > (k === 0 ? 0 : joints[k - 1]) && j < values.length)) {
      throw new InvalidInputError('Joints are increasing positions inside the baseline', {
        joints: `must be increasing integers in [1, ${values.length - 1}]`,
      });
    }
    const options = { windowSize, maxLength: values.length + 2 * windowSize, normalized: false };
    const profile = IncrementalMatrixProfile.fromSeries(values, options);
    const maxDistance = largestDistanceWithinStretches(profile.profile().distances, joints, windowSize);
    if (!(maxDistance > 0)) {
      throw new InvalidInputError('The baseline gives no scale: no window has a neighbour at a distance > 0', {
        baseline: 'needs a stretch of at least one window whose windows differ',
      });
    }
    return new PreparedBaseline(Float64Array.from(values), joints.slice(), windowSize, maxDistance, profile.state());
  }

  /** This baseline followed by `stretches` (learned readings), prepared. */
  extendedWith(stretches: ReadonlyArray<ArrayLike<number>>): PreparedBaseline {
    const length = stretches.reduce((sum, stretch) => sum + stretch.length, this.values.length);
    const values = new Float64Array(length);
    values.set(this.values);
    const joints = this.joints.slice();
    let at = this.values.length;
    for (const stretch of stretches) {
      joints.push(at);
      values.set(Array.from(stretch), at);
      at += stretch.length;
    }
    return PreparedBaseline.prepare(values, this.windowSize, joints);
  }

  /** A fresh profile of the baseline, ready to take 2m readings. */
  startProfile(): IncrementalMatrixProfile {
    return IncrementalMatrixProfile.fromState(this.initial);
  }
}

/** The largest finite distance among windows that lie within one stretch (0 if none). */
function largestDistanceWithinStretches(distances: Float64Array, joints: readonly number[], m: number): number {
  const across = new Uint8Array(distances.length);
  for (const joint of joints) {
    for (let w = Math.max(joint - m + 1, 0); w < Math.min(joint, distances.length); w++) across[w] = 1;
  }
  let max = 0;
  distances.forEach((d, w) => {
    if (!across[w] && Number.isFinite(d) && d > max) max = d;
  });
  return max;
}

/** What scoring one reading gives (store it per reading). */
export interface ScoredReading {
  /** The reading's ordinal for this sensor's scorer, from 1 (store it: resuming needs the last one). */
  sequence: number;
  level: AnomalyLevel;
  /** Nearest-neighbour distance of the newest window / the reference's largest × 100; null while UNDEFINED. */
  percent: number | null;
  /** The newest window's raw Euclidean distance to its nearest neighbour; null while UNDEFINED. */
  distance: number | null;
  /** Scored in feedback mode (the reading is collected as "normal"). */
  feedbackMode: boolean;
  /** The sensor event this reading raises: its level differs from the previous reading's. */
  event: SensorEvent | null;
}

/**
 * Everything a scorer needs to continue exactly where it was, as plain JSON-safe data. Store it
 * as it is, or assemble it from stored rows: the last reading's sequence and level, the
 * learned readings, the sequence when feedback mode was turned on, and the sensor's newest
 * readings (`AnomalyScorer.readingsNeeded` says how many).
 */
export interface AnomalyScorerState {
  settings: AnomalySettings;
  /** Readings scored so far (the last one's sequence). */
  sequence: number;
  /** The sensor's newest readings, oldest first (more than needed is fine). */
  latest: number[];
  /** The last reading's level (null before the first). */
  lastLevel: AnomalyLevel | null;
  /** The stretches learned in feedback mode, oldest first (≤ maxFeedbackLength readings in all). */
  feedbackHistory: number[][];
  /** The sequence when feedback mode was turned on, null when it is off. */
  feedbackStartedAt: number | null;
}

export type FeedbackOutcome =
  | { learned: true; readings: number; maxDistance: number; previousMaxDistance: number }
  | { learned: false; reason: 'NOTHING_COLLECTED'; readings: 0 }
  | { learned: false; reason: 'LIMIT_EXCEEDED'; readings: number; peak: number };

/** Feedback mode needs a full window of readings first (reference: 422 before 144 readings). */
export class FeedbackModeUnavailableError extends ConflictError {
  constructor(readings: number, required: number) {
    super(`Feedback mode is not available until ${required} readings have been collected (${readings} so far)`, {
      readings,
      required,
    });
  }
}

/**
 * Scores a sensor's readings one by one (reference C.3, its intent).
 *
 * Each reading is appended to a non-normalised incremental matrix profile that starts as the
 * sensor's reference (its baseline, followed by what operators taught it in feedback mode);
 * the newest window's distance to its nearest neighbour, as a percentage of the reference's
 * largest, gives the level. The first `windowSize` readings are UNDEFINED (warm-up).
 *
 * History bound (the original's policy, kept on purpose): the profile holds the reference and
 * the sensor's newest readings; when 2m readings have been added, it restarts from the
 * reference with the last m of them replayed. So the reference is always there, whole, and a
 * reading is judged against known shapes plus the last one to two days, never against the
 * sensor's own long past. The profile's own bound (dropping the oldest points) would instead
 * push the baseline out after a while: the sensor would be compared with whatever it did
 * lately, a lasting leak would become its own "normal", and baseline selection, augmentation
 * and feedback would stop mattering, while the 100 % reference still came from the baseline.
 * Cost, for a reference of B points (a 4-day seed is 576; with feedback up to B + 7m): memory
 * is one profile of B + 2m points; a reading costs one O(B + 2m) update, and every m readings
 * a restart (a copy of the prepared profile and m updates), about twice an update on average.
 *
 * The state is small (≤ 2m readings, up to maxFeedbackLength in feedback mode; the learned
 * stretches; a few numbers) and determines the
 * scorer exactly: `fromState(baseline, scorer.state())` continues as the scorer would have,
 * because the profile is always "prepared reference + the last c readings", with c a function
 * of the sequence alone.
 *
 * Feedback mode ("this is normal"): while on, readings are scored as usual (against the same
 * reference) and collected together with the m − 1 readings before it began, so that the
 * stretch holds exactly the windows scored in feedback mode. Turning it off adds the stretch to
 * the learned ones (unless a value reaches `feedbackSaveLimit`; the oldest learned readings go
 * past maxFeedbackLength), which extend the reference, after a joint each, in both modes from
 * then on; the 100 % distance is recomputed. (In the original the learning only reached the
 * feedback mode's own profile, and its list was never filled.)
 */
export class AnomalyScorer {
  private reference: PreparedBaseline;
  private profile: IncrementalMatrixProfile;
  /** The readings in the profile after the reference (c of them). */
  private recent: number[] = [];
  private count = 0;
  private previousLevel: AnomalyLevel | null = null;
  private learned: number[][] = [];
  private feedbackStart: number | null = null;
  /** In feedback mode: the m − 1 readings before it and those since (trimmed now and then). */
  private stretch: number[] | null = null;

  private constructor(
    private readonly baseline: PreparedBaseline,
    readonly settings: AnomalySettings,
  ) {
    if (baseline.windowSize !== settings.windowSize) {
      throw new InvalidInputError('The baseline was prepared for another window size', {
        windowSize: `the baseline's is ${baseline.windowSize}`,
      });
    }
    this.reference = baseline;
  }

  /** A new sensor's scorer (nothing seen yet). */
  static start(baseline: PreparedBaseline, settings: AnomalySettings): AnomalyScorer {
    return AnomalyScorer.fromState(baseline, {
      settings,
      sequence: 0,
      latest: [],
      lastLevel: null,
      feedbackHistory: [],
      feedbackStartedAt: null,
    });
  }

  /** How many of the newest readings a state must hold to be resumed. */
  static readingsNeeded(settings: AnomalySettings, sequence: number, feedbackStartedAt: number | null): number {
    const m = settings.windowSize;
    const inProfile = sequence <= 2 * m ? sequence : m + ((sequence - 2 * m - 1) % m) + 1;
    if (feedbackStartedAt === null) return inProfile;
    return Math.max(inProfile, Math.min(sequence - feedbackStartedAt + m - 1, settings.maxFeedbackLength));
  }

  /** The scorer a state describes, on `baseline` (the same one, or a newly selected one). */
  static fromState(baseline: PreparedBaseline, state: AnomalyScorerState): AnomalyScorer {
    const settings = anomalySettings(state.settings);
    checkState(settings, state);
    const scorer = new AnomalyScorer(baseline, settings);
    const { sequence, latest, feedbackStartedAt } = state;
    const m = settings.windowSize;
    scorer.count = sequence;
    scorer.previousLevel = state.lastLevel;
    scorer.learned = state.feedbackHistory.map((stretch) => stretch.slice());
    if (scorer.learned.length > 0) scorer.reference = baseline.extendedWith(scorer.learned);
    const inProfile = AnomalyScorer.readingsNeeded(settings, sequence, null);
    scorer.restartProfile(latest.slice(latest.length - inProfile));
    if (feedbackStartedAt !== null) {
      const stretch = Math.min(sequence - feedbackStartedAt + m - 1, settings.maxFeedbackLength);
      scorer.feedbackStart = feedbackStartedAt;
      scorer.stretch = latest.slice(latest.length - stretch);
    }
    return scorer;
  }

  get sequence(): number {
    return this.count;
  }

  get feedbackMode(): boolean {
    return this.stretch !== null;
  }

  /** The 100 % distance in use (the reference's largest nearest-neighbour distance). */
  get maxDistance(): number {
    return this.reference.maxDistance;
  }

  /** Scores one reading (ppmv, finite: sentinels are refused before this). */
  score(ppmv: number): ScoredReading {
    if (!Number.isFinite(ppmv)) {
      throw new InvalidInputError('A reading to score must be a finite number', { ppmv: 'must be finite' });
    }
    const m = this.settings.windowSize;
    if (this.recent.length >= 2 * m) this.restartProfile(this.recent.slice(-m));
    this.profile.update(ppmv);
    this.recent.push(ppmv);
    this.count++;
    if (this.stretch) this.collect(ppmv);
    let level: AnomalyLevel = 'UNDEFINED';
    let percent: number | null = null;
    let distance: number | null = null;
    if (this.count > m) {
      distance = this.profile.newestNeighbour().distance;
      percent = (distance / this.reference.maxDistance) * 100;
      level = levelOfPercent(percent, this.settings);
    }
    const event = sensorEventOnChange(this.previousLevel, level);
    this.previousLevel = level;
    return { sequence: this.count, level, percent, distance, feedbackMode: this.stretch !== null, event };
  }

  /** Turns feedback mode on (no-op when on); refused before `windowSize` readings. */
  startFeedback(): void {
    const m = this.settings.windowSize;
    if (this.count < m) throw new FeedbackModeUnavailableError(this.count, m);
    if (this.stretch) return;
    this.feedbackStart = this.count;
    this.stretch = this.recent.slice(this.recent.length - (m - 1));
  }

  /** Turns feedback mode off and learns the stretch when it may (see the class comment). */
  stopFeedback(): FeedbackOutcome {
    if (!this.stretch || this.feedbackStart === null)
      return { learned: false, reason: 'NOTHING_COLLECTED', readings: 0 };
    const collected = this.count - this.feedbackStart;
    const stretch = this.stretch.slice(-this.settings.maxFeedbackLength);
    this.stretch = null;
    this.feedbackStart = null;
    if (collected === 0) return { learned: false, reason: 'NOTHING_COLLECTED', readings: 0 };
    const peak = stretch.reduce((max, x) => Math.max(max, x), -Infinity);
    if (peak >= this.settings.feedbackSaveLimit)
      return { learned: false, reason: 'LIMIT_EXCEEDED', readings: collected, peak };
    const previousMaxDistance = this.reference.maxDistance;
    this.learned = keepNewest([...this.learned, stretch], this.settings);
    this.reference = this.baseline.extendedWith(this.learned);
    this.restartProfile(this.recent);
    return { learned: true, readings: collected, maxDistance: this.reference.maxDistance, previousMaxDistance };
  }

  /** The same sensor on another baseline (after a selection or an augmentation); learned readings stay. */
  withBaseline(baseline: PreparedBaseline): AnomalyScorer {
    return AnomalyScorer.fromState(baseline, this.state());
  }

  state(): AnomalyScorerState {
    const stretch = this.stretch ? this.stretch.slice(-this.settings.maxFeedbackLength) : [];
    return {
      settings: { ...this.settings },
      sequence: this.count,
      latest: stretch.length > this.recent.length ? stretch : this.recent.slice(),
      lastLevel: this.previousLevel,
      feedbackHistory: this.learned.map((stretch) => stretch.slice()),
      feedbackStartedAt: this.feedbackStart,
    };
  }

  private restartProfile(readings: number[]): void {
    this.profile = this.reference.startProfile();
    for (const x of readings) this.profile.update(x);
    this.recent = readings;
  }

  private collect(ppmv: number): void {
    const stretch = this.stretch!;
    stretch.push(ppmv);
    // Trimmed in bulk: O(1) per reading, and the newest maxFeedbackLength are always there.
    if (stretch.length >= 2 * this.settings.maxFeedbackLength) stretch.splice(0, this.settings.maxFeedbackLength);
  }
}

/**
 * The learned stretches cut to the newest maxFeedbackLength readings: the oldest stretch loses
 * its beginning, and goes once it holds less than a window.
 */
function keepNewest(stretches: number[][], settings: AnomalySettings): number[][] {
  let excess = stretches.reduce((sum, stretch) => sum + stretch.length, 0) - settings.maxFeedbackLength;
  const kept: number[][] = [];
  for (const stretch of stretches) {
    const cut = Math.min(Math.max(excess, 0), stretch.length);
    excess -= cut;
    if (stretch.length - cut >= settings.windowSize) kept.push(stretch.slice(cut));
  }
  return kept;
}

function checkState(settings: AnomalySettings, state: AnomalyScorerState): void {
  const problem = stateProblem(settings, state);
  if (problem) throw new InvalidInputError(`The anomaly scorer state is inconsistent: ${problem}`, { state: problem });
}

function stateProblem(settings: AnomalySettings, state: AnomalyScorerState): string | null {
  const { sequence, latest, lastLevel, feedbackHistory, feedbackStartedAt } = state;
  const m = settings.windowSize;
  if (!Number.isInteger(sequence) || sequence < 0) return 'sequence must be an integer ≥ 0';
  if (lastLevel === null ? sequence !== 0 : sequence === 0 || !ANOMALY_LEVELS.includes(lastLevel)) {
    return 'lastLevel must be a level once a reading was scored, null before';
  }
  if (feedbackStartedAt !== null) {
    if (!Number.isInteger(feedbackStartedAt) || feedbackStartedAt < m || feedbackStartedAt > sequence) {
      return `feedbackStartedAt must be null or an integer in [${m}, sequence]`;
    }
  }
  const learned = feedbackHistory.flat();
  if (learned.length > settings.maxFeedbackLength || !learned.every(Number.isFinite)) {
    return 'feedbackHistory must hold at most maxFeedbackLength finite readings';
  }
  if (!feedbackHistory.every((stretch) => stretch.length >= m)) {
    return 'every stretch of feedbackHistory must hold at least windowSize readings';
  }
  const needed = AnomalyScorer.readingsNeeded(settings, sequence, feedbackStartedAt);
  if (latest.length < needed || !latest.every(Number.isFinite)) {
    return `latest must hold the newest ${needed} readings, all finite`;
  }
  return null;
}
